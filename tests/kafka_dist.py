"""Apache Kafka itself, for tests and benches: its command-line tools, a single KRaft
node, or a three-node KRaft cluster, every listener on 127.0.0.1.

The jars are the ones pinned in scripts/kafka/pom.xml; scripts/install-kafka.sh resolves
them into .cache/kafka/ (it is called here when the classpath is missing, and is a no-op
when it is there). Nothing is downloaded at run time but through that script.

    import kafka_dist
    r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", bs, "--list")
    with kafka_dist.KafkaCluster(nodes=3) as cluster:   # formats storage, starts, waits
        cluster.bootstrap                                # "127.0.0.1:p1,127.0.0.1:p2,..."

Each node is a `java ... kafka.Kafka server.properties` child process in its own folder
(config, data dir, server.log), combined broker and controller (process.roles
broker,controller) with a static voter set. stop() sends SIGTERM to every node by PID and
SIGKILLs the ones still running after the grace period; the folders (and logs) stay until
the owner of the base dir removes it. Every wait is bounded.

As a command (the same tool names as Kafka's bin/*.sh):

    python3 tests/kafka_dist.py tool kafka-topics --bootstrap-server 127.0.0.1:9092 --list
    python3 tests/kafka_dist.py cluster --nodes 3 [--dir DIR] [--config K=V]  # until Ctrl-C
    python3 tests/kafka_dist.py classpath                       # prints it (installs first)
"""

import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALL_SCRIPT = os.path.join(REPO_ROOT, "scripts", "install-kafka.sh")

# Kafka's bin/*.sh name -> the class it runs (as in the pinned release, scripts/kafka/pom.xml).
TOOLS = {
    "kafka-acls": "org.apache.kafka.tools.AclCommand",
    "kafka-broker-api-versions": "org.apache.kafka.tools.BrokerApiVersionsCommand",
    "kafka-cluster": "org.apache.kafka.tools.ClusterTool",
    "kafka-configs": "org.apache.kafka.tools.ConfigCommand",
    "kafka-console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
    "kafka-console-producer": "org.apache.kafka.tools.ConsoleProducer",
    "kafka-consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "kafka-consumer-perf-test": "org.apache.kafka.tools.ConsumerPerformance",
    "kafka-delete-records": "org.apache.kafka.tools.DeleteRecordsCommand",
    "kafka-features": "org.apache.kafka.tools.FeatureCommand",
    "kafka-get-offsets": "org.apache.kafka.tools.GetOffsetShell",
    "kafka-groups": "org.apache.kafka.tools.GroupsCommand",
    "kafka-leader-election": "org.apache.kafka.tools.LeaderElectionCommand",
    "kafka-log-dirs": "org.apache.kafka.tools.LogDirsCommand",
    "kafka-metadata-quorum": "org.apache.kafka.tools.MetadataQuorumCommand",
    "kafka-producer-perf-test": "org.apache.kafka.tools.ProducerPerformance",
    "kafka-reassign-partitions": "org.apache.kafka.tools.reassign.ReassignPartitionsCommand",
    "kafka-storage": "kafka.tools.StorageTool",
    "kafka-topics": "org.apache.kafka.tools.TopicCommand",
    "kafka-transactions": "org.apache.kafka.tools.TransactionsCommand",
    "kafka-verifiable-consumer": "org.apache.kafka.tools.VerifiableConsumer",
    "kafka-verifiable-producer": "org.apache.kafka.tools.VerifiableProducer",
}

# Tools log warnings to stderr (as Kafka's tools-log4j2 config does); nodes log INFO to
# stdout, which goes to the node's server.log.
_LOG4J2 = """status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.target = {target}
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.out.ref = OUT
"""

TOOL_JVM_OPTS = ["-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
NODE_JVM_OPTS = ["-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                 "-Djava.awt.headless=true"]

START_TIMEOUT_S = 180.0
STOP_GRACE_S = 30.0


class KafkaDistError(RuntimeError):
    pass


def cache_dir():
    return os.environ.get("SLUICE_KAFKA_CACHE") or os.path.join(REPO_ROOT, ".cache", "kafka")


def classpath(name="dist"):
    """The runtime classpath resolved from scripts/install-kafka.sh's pom `name`; runs the
    script first (a no-op when up to date)."""
    r = subprocess.run(["bash", INSTALL_SCRIPT], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise KafkaDistError("scripts/install-kafka.sh failed (exit %d):\n%s%s"
                             % (r.returncode, r.stdout, r.stderr))
    path = os.path.join(cache_dir(), name, "classpath")
    with open(path) as f:
        return f.read().strip()


def compile_java(sources, classes_dir):
    """javac `sources` (paths of .java files) against the Kafka classpath into
    `classes_dir`; returns the classpath that runs them (their classes first).
    Raises KafkaDistError with javac's output when they do not compile."""
    cp = classpath()
    r = subprocess.run(["javac", "-cp", cp, "-d", classes_dir] + list(sources),
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        names = ", ".join(os.path.basename(s) for s in sources)
        raise KafkaDistError("javac of %s failed:\n%s" % (names, r.stderr))
    return classes_dir + os.pathsep + cp


def java():
    path = shutil.which("java")
    if not path:
        raise KafkaDistError("java not found on PATH; run scripts/install-deps.sh "
                             "(it installs openjdk-17-jdk-headless)")
    return path


def _log4j2_file(target, level):
    """A log4j2 config in the cache folder, written once per (target, level)."""
    path = os.path.join(cache_dir(), "log4j2-%s-%s.properties" % (target.lower(), level.lower()))
    if not os.path.exists(path):
        os.makedirs(cache_dir(), exist_ok=True)
        tmp = "%s.%d" % (path, os.getpid())
        with open(tmp, "w") as f:
            f.write(_LOG4J2.format(target=target, level=level))
        os.replace(tmp, path)
    return path


def log_config():
    """A log4j2 config file that logs warnings and errors to stderr (as the tools do), for a
    Java program of the tests run with the Kafka classpath."""
    return _log4j2_file("SYSTEM_ERR", "WARN")


# The client's NetworkClient logs each request's header at DEBUG ("Sending PRODUCE request
# with header RequestHeader(apiKey=PRODUCE, apiVersion=11, ...)"): with this config a tool
# or client tells on stderr which version of each API it chose.
_REQUEST_LOG4J2 = _LOG4J2.format(target="SYSTEM_ERR", level="WARN") + """\
logger.requests.name = org.apache.kafka.clients.NetworkClient
logger.requests.level = DEBUG
"""
_REQUEST_HEADER = re.compile(r"RequestHeader\(apiKey=(\w+), apiVersion=(\d+)")


def request_log_config():
    """A log4j2 config file that logs every request header sent, for api_versions_sent()."""
    path = os.path.join(cache_dir(), "log4j2-requests.properties")
    if not os.path.exists(path):
        os.makedirs(cache_dir(), exist_ok=True)
        tmp = "%s.%d" % (path, os.getpid())
        with open(tmp, "w") as f:
            f.write(_REQUEST_LOG4J2)
        os.replace(tmp, path)
    return path


# The API keys of the names the Java client logs (its ApiKeys enum), for the APIs a
# client sends to a broker like sluice.
API_KEYS = {
    "PRODUCE": 0, "FETCH": 1, "LIST_OFFSETS": 2, "METADATA": 3, "OFFSET_COMMIT": 8,
    "OFFSET_FETCH": 9, "FIND_COORDINATOR": 10, "JOIN_GROUP": 11, "HEARTBEAT": 12,
    "LEAVE_GROUP": 13, "SYNC_GROUP": 14, "DESCRIBE_GROUPS": 15, "LIST_GROUPS": 16,
    "SASL_HANDSHAKE": 17, "API_VERSIONS": 18, "CREATE_TOPICS": 19, "DELETE_TOPICS": 20,
    "DELETE_RECORDS": 21, "INIT_PRODUCER_ID": 22, "DESCRIBE_ACLS": 29, "CREATE_ACLS": 30,
    "DELETE_ACLS": 31, "DESCRIBE_CONFIGS": 32, "ALTER_CONFIGS": 33, "DESCRIBE_LOG_DIRS": 35,
    "SASL_AUTHENTICATE": 36, "CREATE_PARTITIONS": 37, "DELETE_GROUPS": 42,
    "INCREMENTAL_ALTER_CONFIGS": 44, "OFFSET_DELETE": 47, "DESCRIBE_CLIENT_QUOTAS": 48,
    "DESCRIBE_USER_SCRAM_CREDENTIALS": 50, "ALTER_USER_SCRAM_CREDENTIALS": 51,
    "DESCRIBE_CLUSTER": 60,
}


def api_versions_sent(log):
    """{api name (e.g. "PRODUCE"): set of versions} from a log under request_log_config()."""
    sent = {}
    for api, version in _REQUEST_HEADER.findall(log):
        sent.setdefault(api, set()).add(int(version))
    return sent


def tool_command(tool, *args, cp=None, log_config=None):
    """The argv that runs Kafka's `tool` (a key of TOOLS, e.g. "kafka-topics") with `args`;
    `log_config`: a log4j2 file instead of warnings to stderr (e.g. request_log_config())."""
    if tool not in TOOLS:
        raise KafkaDistError("unknown Kafka tool %r; known: %s" % (tool, ", ".join(sorted(TOOLS))))
    return ([java()] + TOOL_JVM_OPTS
            + ["-Dlog4j2.configurationFile=" + (log_config or _log4j2_file("SYSTEM_ERR", "WARN")),
               "-cp", cp or classpath(), TOOLS[tool]] + [str(a) for a in args])


def run_tool(tool, *args, input=None, timeout=120, cp=None, log_config=None):
    """Runs Kafka's `tool` to completion; returns the CompletedProcess (text, both streams
    captured). A tool still running after `timeout` s raises subprocess.TimeoutExpired."""
    return subprocess.run(tool_command(tool, *args, cp=cp, log_config=log_config), input=input,
                          text=True, capture_output=True, timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL)


def free_ports(count):
    """`count` distinct free TCP ports on 127.0.0.1 (bound together, then released)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def random_cluster_id():
    """A Kafka cluster id: a UUID, base64url without padding (what `kafka-storage random-uuid`
    prints). Like Kafka's Uuid.randomUuid(), never one starting with '-', which the tools'
    argument parser takes for an option (`kafka-storage format -t -x...` fails: one run in 64)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def _port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def brokers_in_metadata(bootstrap):
    """How many brokers a Metadata request to `bootstrap` lists (kcat -L), or 0."""
    try:
        r = subprocess.run(["kcat", "-b", bootstrap, "-L", "-m", "5"], capture_output=True,
                           text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return 0
    m = re.search(r"^ (\d+) brokers:", r.stdout, re.M)
    return int(m.group(1)) if (r.returncode == 0 and m) else 0


class KafkaNode:
    """One KRaft node (broker and controller) of a KafkaCluster."""

    def __init__(self, node_id, folder, broker_port, controller_port):
        self.node_id = node_id
        self.folder = folder
        self.broker_port = broker_port
        self.controller_port = controller_port
        self.data_dir = os.path.join(folder, "data")
        self.config_path = os.path.join(folder, "server.properties")
        self.log_path = os.path.join(folder, "server.log")
        self.proc = None

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.broker_port

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def is_running(self):
        return self.proc is not None and self.proc.poll() is None

    def write_config(self, voters, replication, extra):
        settings = {
            "process.roles": "broker,controller",
            "node.id": self.node_id,
            "controller.quorum.voters": voters,
            "listeners": "PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d"
                         % (self.broker_port, self.controller_port),
            "advertised.listeners": "PLAINTEXT://127.0.0.1:%d" % self.broker_port,
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": self.data_dir,
            "num.partitions": 1,
            # Internal topics as replicated as the cluster allows, so a 3-node cluster
            # survives losing a node as production clusters do.
            "offsets.topic.replication.factor": replication,
            "transaction.state.log.replication.factor": replication,
            "transaction.state.log.min.isr": min(2, replication),
            "share.coordinator.state.topic.replication.factor": replication,
            "share.coordinator.state.topic.min.isr": min(2, replication),
            "group.initial.rebalance.delay.ms": 0,
        }
        settings.update(extra)
        with open(self.config_path, "w") as f:
            for key, value in settings.items():
                f.write("%s=%s\n" % (key, value))

    def format_storage(self, cluster_id, cp):
        r = run_tool("kafka-storage", "format", "-t", cluster_id, "-c", self.config_path,
                     "--ignore-formatted", timeout=120, cp=cp)
        if r.returncode != 0:
            raise KafkaDistError("kafka-storage format of node %d (%s) failed (exit %d): %s%s"
                                 % (self.node_id, self.config_path, r.returncode, r.stdout,
                                    r.stderr))

    def start(self, cp):
        if self.is_running():
            raise KafkaDistError("node %d is already running (pid %d)" % (self.node_id, self.pid))
        args = ([java()] + NODE_JVM_OPTS
                + ["-Dlog4j2.configurationFile=" + _log4j2_file("SYSTEM_OUT", "INFO"),
                   "-cp", cp, "kafka.Kafka", self.config_path])
        with open(self.log_path, "ab") as log:
            log.write(("==== %s\n" % " ".join(args[:-3] + ["-cp", "...", "kafka.Kafka",
                                                          self.config_path])).encode())
            log.flush()
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, close_fds=True,
                                         cwd=self.folder)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "(no log at %s)" % self.log_path
        return "\n".join(text[-lines:])

    def signal(self, sig):
        if self.is_running():
            self.proc.send_signal(sig)

    def kill9(self):
        if self.is_running():
            self.proc.kill()
            self.proc.wait(timeout=30)


class KafkaCluster:
    """`nodes` KRaft nodes on 127.0.0.1 free ports under `base_dir` (a temporary folder,
    removed by close(), when None). `config` adds or overrides server.properties settings
    on every node. Starts on construction unless start=False."""

    def __init__(self, nodes=1, base_dir=None, config=None, start=True):
        if nodes < 1:
            raise KafkaDistError("a cluster needs at least one node, not %d" % nodes)
        self._owned_dir = None
        if base_dir is None:
            self._owned_dir = tempfile.mkdtemp(prefix="kafka-cluster-")
            base_dir = self._owned_dir
        self.base_dir = base_dir
        self.cluster_id = random_cluster_id()
        self.cp = classpath()
        ports = free_ports(2 * nodes)
        self.nodes = [KafkaNode(i + 1, os.path.join(base_dir, "node-%d" % (i + 1)),
                                ports[2 * i], ports[2 * i + 1]) for i in range(nodes)]
        voters = ",".join("%d@127.0.0.1:%d" % (n.node_id, n.controller_port) for n in self.nodes)
        for n in self.nodes:
            os.makedirs(n.folder, exist_ok=True)
            n.write_config(voters, min(3, nodes), dict(config or {}))
        if start:
            self.start()

    @property
    def bootstrap(self):
        return ",".join(n.bootstrap for n in self.nodes)

    def describe(self):
        return "; ".join("node %d pid=%s port=%d %s" % (
            n.node_id, n.pid, n.broker_port, "running" if n.is_running() else "stopped")
            for n in self.nodes)

    def logs(self, lines=40):
        return "\n".join("--- node %d: %s ---\n%s" % (n.node_id, n.log_path, n.log_tail(lines))
                         for n in self.nodes)

    def start(self, timeout=START_TIMEOUT_S):
        """Formats every node's storage (once), starts them all and waits until each one's
        Metadata lists every broker."""
        for n in self.nodes:
            n.format_storage(self.cluster_id, self.cp)
        for n in self.nodes:
            n.start(self.cp)
        deadline = time.monotonic() + timeout
        pending = list(self.nodes)
        while pending:
            dead = [n for n in self.nodes if not n.is_running()]
            if dead:
                self.stop()
                raise KafkaDistError("Kafka node %d exited (code %r) while starting\n%s"
                                     % (dead[0].node_id, dead[0].proc.returncode, self.logs()))
            pending = [n for n in pending if not (_port_open(n.broker_port) and
                       brokers_in_metadata(n.bootstrap) == len(self.nodes))]
            if pending and time.monotonic() >= deadline:
                self.stop()
                raise KafkaDistError("Kafka nodes %s did not list all %d brokers within %.0f s\n%s"
                                     % ([n.node_id for n in pending], len(self.nodes), timeout,
                                        self.logs()))
            if pending:
                time.sleep(0.5)
        return self

    def stop(self, grace=STOP_GRACE_S):
        """SIGTERM to every running node at once (each by its PID); SIGKILL to those still
        running after `grace` s. Returns {node_id: exit code}."""
        for n in self.nodes:
            n.signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for n in self.nodes:
            if n.proc is None:
                continue
            try:
                n.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                n.kill9()
        return {n.node_id: n.proc.returncode for n in self.nodes if n.proc is not None}

    def close(self):
        try:
            self.stop()
        finally:
            if self._owned_dir:
                shutil.rmtree(self._owned_dir, ignore_errors=True)
                self._owned_dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _main(argv):
    import argparse
    parser = argparse.ArgumentParser(prog="kafka_dist.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tool", help="run one of Kafka's tools: tool NAME [ARGS...]")
    t.add_argument("name", choices=sorted(TOOLS))
    t.add_argument("args", nargs=argparse.REMAINDER)
    c = sub.add_parser("cluster", help="run a KRaft cluster until Ctrl-C")
    c.add_argument("--nodes", type=int, default=1)
    c.add_argument("--dir", help="base folder (kept); default: a temporary one, removed")
    c.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   help="a server.properties setting for every node (repeatable)")
    sub.add_parser("classpath", help="print the classpath (resolving it first)")
    a = parser.parse_args(argv)
    if a.command == "classpath":
        print(classpath())
        return 0
    if a.command == "tool":
        return subprocess.call(tool_command(a.name, *a.args))
    if a.dir:
        os.makedirs(a.dir, exist_ok=True)
    config = dict(kv.split("=", 1) for kv in a.config)
    cluster = KafkaCluster(nodes=a.nodes, base_dir=a.dir, config=config)
    try:
        print("Kafka cluster %s ready: bootstrap %s (%s); logs under %s; Ctrl-C stops it"
              % (cluster.cluster_id, cluster.bootstrap, cluster.describe(), cluster.base_dir),
              flush=True)
        # Blocked only now: the nodes started above must not inherit a blocked SIGTERM.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

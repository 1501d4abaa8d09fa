"""Transactions (exactly-once, KIP-98) against `sluice broker` with confluent-kafka from
PyPI (txn_probe.py in the venv of scripts/install-py-clients.sh): what read_committed and
read_uncommitted consumers see after commits and aborts, consume-transform-produce with
offsets sent to the transaction, fencing by a second producer, the timeout that aborts
an abandoned transaction, and kill -9 of the broker and of the producer at several
steps, after which no transaction is half-visible to read_committed readers."""

import json
import os
import subprocess
import unittest

import broker  # noqa: F401
from broker import BrokerTestCase, unique_name, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_PYTHON = os.path.join(REPO_ROOT, ".cache", "pyclients", "venv", "bin", "python")
N = 12
PARTITIONS = 3


def setUpModule():
    subprocess.run([os.path.join(REPO_ROOT, "scripts", "install-py-clients.sh")], check=True,
                   timeout=900)


def venv_env():
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SLUICE_CRASH_AT")}


class Transactions(BrokerTestCase):
    broker_flags = {"flush": "always"}

    def probe(self, *args, ok=True):
        r = subprocess.run([VENV_PYTHON, os.path.join(HERE, "txn_probe.py"), args[0],
                            self.broker.bootstrap] + [str(a) for a in args[1:]],
                           capture_output=True, text=True, timeout=180, env=venv_env())
        if ok:
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
            return json.loads(r.stdout.strip().splitlines()[-1])
        return r

    def start_probe(self, *args):
        """A probe left running (to be killed): returns once it printed its first line."""
        p = subprocess.Popen([VENV_PYTHON, os.path.join(HERE, "txn_probe.py"), args[0],
                              self.broker.bootstrap] + [str(a) for a in args[1:]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=venv_env())
        self.addCleanup(lambda: (p.poll() is None and p.kill(), p.wait()))
        return p

    def topic(self):
        name = unique_name("txn")
        self.probe("create", name, PARTITIONS)
        return name

    def read(self, topic, isolation="read_committed"):
        return self.probe("read", topic, isolation)["values"]

    def values(self, txn_id, n=N):
        return sorted("%s-%d" % (txn_id, i) for i in range(n))

    def test_a_commit_is_seen_whole_and_an_abort_not_at_all(self):
        topic = self.topic()
        self.probe("plain", topic, 3)
        self.probe("produce", topic, "committer", N, "commit")
        self.probe("produce", topic, "aborter", N, "abort")
        self.probe("produce", topic, "committer", N, "commit")  # the same id again
        committed = self.read(topic)
        self.assertEqual(committed, sorted(self.values("committer") * 2 +
                                           ["plain-%d" % i for i in range(3)]))
        everything = self.read(topic, "read_uncommitted")
        self.assertEqual(everything, sorted(committed + self.values("aborter")))

    def test_consume_transform_produce_commits_the_offsets_only_at_commit(self):
        src, dst, group = self.topic(), self.topic(), unique_name("ctp")
        self.probe("plain", src, N)
        self.probe("ctp", src, dst, group, "mover", N, "abort")
        self.assertEqual(self.probe("committed", src, group)["committed"], 0)
        self.assertEqual(self.read(dst), [])
        self.probe("ctp", src, dst, group, "mover", N, "commit")
        self.assertEqual(self.probe("committed", src, group)["committed"], N)
        self.assertEqual(self.read(dst), sorted("PLAIN-%d" % i for i in range(N)))

    def test_a_second_producer_with_the_same_transactional_id_fences_the_first(self):
        topic = self.topic()
        outcome = self.probe("fence", topic, "fenced")["zombie"]
        self.assertTrue(outcome.startswith("fatal:"), outcome)
        self.assertEqual(self.read(topic), ["successor"])
        self.assertEqual(self.read(topic, "read_uncommitted"), ["successor", "zombie"])

    def test_a_transaction_open_past_its_timeout_is_aborted(self):
        topic = self.topic()
        p = self.start_probe("produce", topic, "abandoned", N, "open", 2000)
        self.assertIn('"open"', p.stdout.readline())
        p.kill()  # the producer dies mid-transaction: only the timeout can end it
        self.probe("produce", topic, "later", 1, "commit")
        # The open transaction holds the last stable offset below the later commit
        # until the coordinator aborts it.
        wait_until(lambda: self.read(topic) == self.values("later", 1), 60,
                   message="the abandoned transaction aborted and the later commit visible")
        self.assertEqual(self.read(topic, "read_uncommitted"),
                         sorted(self.values("abandoned") + self.values("later", 1)))

    def test_a_killed_producer_s_transaction_aborts_at_the_next_init_producer_id(self):
        topic = self.topic()
        p = self.start_probe("produce", topic, "reborn", N, "open")
        self.assertIn('"open"', p.stdout.readline())
        p.kill()
        self.probe("produce", topic, "reborn", 2, "commit")
        self.assertEqual(self.read(topic), self.values("reborn", 2))

    def test_kill9_of_the_broker_before_end_txn_leaves_nothing_visible(self):
        topic = self.topic()
        p = self.start_probe("produce", topic, "interrupted", N, "open")
        self.assertIn('"open"', p.stdout.readline())
        self.broker.kill9()
        p.kill()
        self.broker.restart()
        self.assertEqual(self.read(topic), [], "an open transaction stays invisible")
        self.probe("produce", topic, "interrupted", 1, "commit")  # aborts the old one
        self.assertEqual(self.read(topic), self.values("interrupted", 1))

    def crash_during_commit(self, point):
        topic = self.topic()
        self.broker.stop()
        os.environ["SLUICE_CRASH_AT"] = point
        try:
            self.broker.restart(stop_first=False)
        finally:
            del os.environ["SLUICE_CRASH_AT"]
        p = self.start_probe("produce", topic, "crashed", N, "commit")
        wait_until(lambda: not self.broker.is_running(), 60,
                   message="the broker dying at " + point)
        p.kill()
        self.broker.restart()
        self.assertEqual(self.read(topic), self.values("crashed"),
                         "the decided commit is finished at restart")

    def test_kill9_between_two_partitions_markers_is_finished_at_restart(self):
        self.crash_during_commit("txn.marker:2")

    def test_kill9_after_the_markers_before_complete_is_finished_at_restart(self):
        self.crash_during_commit("txn.before_complete")


if __name__ == "__main__":
    unittest.main()

"""`sluice topics produce|consume`, the --json of `topics list|describe`, the
confirmation of `topics delete` and the profile that spares --bootstrap, all
against the built-in broker with real clients on the other side.

Every wait is bounded; record timestamps that matter are fixed values.
"""

import json
import os
import subprocess
import tempfile
import time
import unittest

import ck_helpers
from broker import BrokerTestCase, sluice_bin, unique_name

CLI_TIMEOUT_S = 60
OLD_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z
NEW_MS = 1_700_000_600_000  # 2023-11-14T22:23:20Z


class TopicsCliTest(BrokerTestCase):
    def run_sluice(self, *args, stdin=None, env=None, bootstrap=True):
        cmd = [sluice_bin(), *args] + (["--bootstrap", self.broker.bootstrap] if bootstrap else [])
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT_S, env=env)

    def sluice(self, *args, **kw):
        r = self.run_sluice(*args, **kw)
        self.assertEqual(r.returncode, 0, "%s failed:\n%s%s%s"
                         % (" ".join(args), r.stdout, r.stderr, self.broker_log()))
        return r

    def topic(self, partitions=1):
        t = unique_name("tp")
        self.sluice("topics", "create", t, "--partitions", str(partitions))
        return t

    def consume_json(self, *args):
        out = self.sluice("topics", "consume", *args).stdout
        return [json.loads(line) for line in out.splitlines()]

    # ------------------------------------------------------------ produce
    def test_produce_writes_keys_headers_and_an_explicit_partition(self):
        t = self.topic(partitions=3)
        r = self.sluice("topics", "produce", t, "--parse-key", "-H", "source=cli", "-H",
                        "run=1", "-p", "2", stdin="k1\tfirst\nk2\tsecond\n")
        self.assertIn("partition 2 at offset 1", r.stdout)
        self.assertIn("produced 2 record(s)", r.stderr)
        # An independent reader (confluent_kafka) sees them where produce said.
        by_partition, _ = ck_helpers.consume_partitions(self.broker.bootstrap, t, [0, 1, 2])
        self.assertEqual([len(by_partition[p]) for p in range(3)], [0, 0, 2])
        records = self.consume_json(t)
        self.assertEqual([(r["partition"], r["offset"], r["key"], r["value"]) for r in records],
                         [(2, 0, "k1", "first"), (2, 1, "k2", "second")])
        self.assertEqual(records[0]["headers"],
                         [{"key": "source", "value": "cli"}, {"key": "run", "value": "1"}])
        self.assertIsInstance(records[0]["timestamp"], int)

    def test_produce_plain_without_a_key_and_with_a_custom_separator(self):
        t = self.topic()
        self.sluice("topics", "produce", t, "-q", stdin="just a value\n")
        self.sluice("topics", "produce", t, "-q", "--key-separator", "::", stdin="k::v::w\n")
        (a, b) = self.consume_json(t)
        self.assertEqual((a["key"], a["value"]), (None, "just a value"))
        self.assertEqual((b["key"], b["value"]), ("k", "v::w"))

    def test_produce_refuses_a_line_without_its_key_and_says_how_many_were_written(self):
        t = self.topic()
        r = self.run_sluice("topics", "produce", t, "--parse-key", stdin="a\t1\nno-tab\nb\t2\n")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("input line 2", r.stderr)
        self.assertIn("1 record(s) before it were produced", r.stderr)
        self.assertEqual(len(self.consume_json(t)), 1)

    def test_produce_to_a_missing_topic_fails_and_does_not_create_it(self):
        t = unique_name("missing")
        r = self.run_sluice("topics", "produce", t, stdin="x\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("topic '%s' does not exist" % t, r.stderr)
        self.assertNotIn(t, self.sluice("topics", "list").stdout)

    def test_consume_json_output_feeds_produce_to_copy_a_topic(self):
        src, dst = self.topic(partitions=2), self.topic(partitions=2)
        lines = [{"key": "a", "value": "1", "partition": 0},
                 {"key": None, "value": None, "partition": 1},  # a tombstone
                 {"key": "c", "value": "3", "headers": [{"key": "h", "value": "x"}],
                  "partition": 1}]
        self.sluice("topics", "produce", src, "-f", "json", "-q",
                    stdin="".join(json.dumps(l) + "\n" for l in lines))
        copied = self.sluice("topics", "consume", src).stdout
        self.sluice("topics", "produce", dst, "-f", "json", "-q", stdin=copied)
        strip = lambda rs: sorted((r["partition"], r["offset"], r["key"], r["value"],
                                   json.dumps(r["headers"])) for r in rs)
        self.assertEqual(strip(self.consume_json(dst)), strip(self.consume_json(src)))
        self.assertIn((1, 0, None, None, "[]"), strip(self.consume_json(dst)))

    # ------------------------------------------------------------ consume
    def test_consume_starts_at_an_offset_the_last_n_or_a_time_and_stops_after_num(self):
        t = self.topic()
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = [{"value": ("old-%d" % i).encode(), "partition": 0, "timestamp": OLD_MS}
                for i in range(5)]
        msgs += [{"value": ("new-%d" % i).encode(), "partition": 0, "timestamp": NEW_MS}
                 for i in range(5)]
        for d in ck_helpers.produce_all(p, t, msgs):
            self.assertIsNone(d.error)

        values = lambda *a: self.sluice("topics", "consume", t, "-f", "plain", *a).stdout.split()
        self.assertEqual(len(values()), 10)
        self.assertEqual(values("-o", "7"), ["new-2", "new-3", "new-4"])
        self.assertEqual(values("-o", "-2"), ["new-3", "new-4"])
        self.assertEqual(values("-o", "@2023-11-14T22:18:00Z"), ["new-%d" % i for i in range(5)])
        self.assertEqual(values("-o", "@%d" % (NEW_MS + 1)), [])
        self.assertEqual(values("-o", "end"), [])
        self.assertEqual(values("-n", "3"), ["old-0", "old-1", "old-2"])
        (r,) = self.consume_json(t, "-o", "4", "-n", "1")
        self.assertEqual((r["offset"], r["timestamp"]), (4, OLD_MS))

    def test_consume_reads_only_the_partitions_asked_for_and_prints_keys(self):
        t = self.topic(partitions=3)
        for p in range(3):
            self.sluice("topics", "produce", t, "-q", "-p", str(p), "-k", "key-%d" % p,
                        stdin="value-%d\n" % p)
        out = self.sluice("topics", "consume", t, "-p", "1", "-p", "2", "-f", "plain",
                          "--print-key", "--key-separator", "=").stdout
        self.assertEqual(sorted(out.splitlines()), ["key-1=value-1", "key-2=value-2"])
        r = self.run_sluice("topics", "consume", t, "-p", "7")
        self.assertEqual(r.returncode, 1)
        self.assertIn("has no partition 7", r.stderr)

    def test_consume_of_a_missing_topic_fails_with_its_name(self):
        t = unique_name("missing")
        r = self.run_sluice("topics", "consume", t)
        self.assertEqual(r.returncode, 1)
        self.assertIn(t, r.stderr)
        self.assertIn("does not exist", r.stderr)

    def test_follow_waits_for_records_written_after_it_started(self):
        t = self.topic()
        self.assertEqual(self.sluice("topics", "consume", t).stdout, "")  # bounded: ends at once
        cmd = [sluice_bin(), "topics", "consume", t, "--follow", "-n", "2", "-f", "plain",
               "--bootstrap", self.broker.bootstrap]
        follower = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1.0)
            self.assertIsNone(follower.poll(), "--follow returned before any record came")
            self.sluice("topics", "produce", t, "-q", stdin="one\ntwo\n")
            out, err = follower.communicate(timeout=CLI_TIMEOUT_S)
        finally:
            if follower.poll() is None:
                follower.kill()
                follower.wait()
        self.assertEqual(follower.returncode, 0, err)
        self.assertEqual(out.splitlines(), ["one", "two"])

    # ------------------------------------------------------- list/describe
    def test_list_and_describe_print_json_for_scripts(self):
        t = self.topic(partitions=2)
        listed = json.loads(self.sluice("topics", "list", "--json").stdout)
        self.assertIn({"topic": t, "partitions": 2}, listed)
        d = json.loads(self.sluice("topics", "describe", t, "--json").stdout)
        self.assertEqual(d["topic"], t)
        self.assertEqual([(p["partition"], p["online"]) for p in d["partitions"]],
                         [(0, True), (1, True)])
        self.assertIn("retention.ms", d["configs"])

    # -------------------------------------------------------------- delete
    def test_delete_without_a_terminal_needs_yes(self):
        t = self.topic()
        r = self.run_sluice("topics", "delete", t, stdin="")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--yes", r.stderr)
        self.assertIn(t, self.sluice("topics", "list").stdout)
        self.sluice("topics", "delete", t, "--yes")
        self.assertNotIn(t, self.sluice("topics", "list").stdout)

    def delete_on_a_terminal(self, topic, answer):
        master, slave = os.openpty()
        try:
            proc = subprocess.Popen([sluice_bin(), "topics", "delete", topic, "--bootstrap",
                                     self.broker.bootstrap], stdin=slave,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            os.write(master, answer.encode())
            out, err = proc.communicate(timeout=CLI_TIMEOUT_S)
        finally:
            os.close(master)
            os.close(slave)
        return proc.returncode, err

    def test_delete_on_a_terminal_asks_first(self):
        t = self.topic()
        code, err = self.delete_on_a_terminal(t, "n\n")
        self.assertEqual(code, 1)
        self.assertIn("[y/N]", err)
        self.assertIn(t, self.sluice("topics", "list").stdout)
        code, err = self.delete_on_a_terminal(t, "y\n")
        self.assertEqual(code, 0, err)
        self.assertNotIn(t, self.sluice("topics", "list").stdout)

    # ------------------------------------------------------------- profile
    def test_bootstrap_comes_from_flag_then_env_then_profile(self):
        t = self.topic()
        with tempfile.TemporaryDirectory() as home:
            os.makedirs(os.path.join(home, "sluice"))
            with open(os.path.join(home, "sluice", "config.yaml"), "w") as f:
                f.write("bootstrap: %s\n" % self.broker.bootstrap)
            env = {k: v for k, v in os.environ.items()
                   if k not in ("SLUICE_BOOTSTRAP", "SLUICE_CONFIG", "SLUICE_DATA_DIR")}
            env["XDG_CONFIG_HOME"] = home
            profile_only = self.run_sluice("topics", "list", env=env, bootstrap=False)
            self.assertEqual(profile_only.returncode, 0, profile_only.stderr)
            self.assertIn(t, profile_only.stdout)

            # The environment wins over the profile: a closed port fails.
            env_wins = self.run_sluice("topics", "list", "--timeout-ms", "1500", bootstrap=False,
                                       env=dict(env, SLUICE_BOOTSTRAP="127.0.0.1:1"))
            self.assertNotEqual(env_wins.returncode, 0)
            self.assertIn("127.0.0.1:1", env_wins.stderr)
            # The flag wins over both.
            flag_wins = self.run_sluice("topics", "list", env=dict(env, SLUICE_BOOTSTRAP="127.0.0.1:1"))
            self.assertEqual(flag_wins.returncode, 0, flag_wins.stderr)

            with open(os.path.join(home, "sluice", "config.yaml"), "w") as f:
                f.write("bootstrapp: x\n")
            broken = self.run_sluice("topics", "list", env=env, bootstrap=False)
            self.assertEqual(broken.returncode, 2)
            self.assertIn(os.path.join(home, "sluice", "config.yaml"), broken.stderr)


if __name__ == "__main__":
    unittest.main()

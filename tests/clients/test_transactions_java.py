"""Apache Kafka's Java client (kafka-clients, pinned in scripts/kafka/pom.xml) and
`kafka-transactions` against `sluice broker`'s transactions: java/Transactions.java
commits one transaction and aborts another, then a read_committed consumer reads only
the committed records and a read_uncommitted one reads both; `kafka-transactions list`
and `describe` show the transactional id, its producer and state."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import broker  # noqa: F401
from broker import BrokerTestCase, unique_name

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
N = 20
_module_dir = None
_java_cp = None


def setUpModule():
    global _module_dir, _java_cp
    _module_dir = tempfile.mkdtemp(prefix="sluice-java-txn-")
    _java_cp = kafka_dist.compile_java([os.path.join(HERE, "java", "Transactions.java")],
                                       os.path.join(_module_dir, "classes"))


def tearDownModule():
    if _module_dir:
        shutil.rmtree(_module_dir, ignore_errors=True)


class JavaTransactions(BrokerTestCase):
    def test_commit_and_abort_with_the_java_client_and_kafka_transactions(self):
        topic, txn_id = unique_name("jtxn"), unique_name("java-txn")
        r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", self.broker.bootstrap,
                                "--create", "--topic", topic, "--partitions", "3")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = subprocess.run([kafka_dist.java(), "-Xmx256m", "-XX:+UseSerialGC",
                            "-XX:TieredStopAtLevel=1", "-cp", _java_cp, "Transactions",
                            self.broker.bootstrap, topic, txn_id, str(N)],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        self.assertEqual(r.stdout.split(),
                         ["read_committed", str(N), "read_uncommitted", str(2 * N)], r.stderr)

        r = kafka_dist.run_tool("kafka-transactions", "--bootstrap-server",
                                self.broker.bootstrap, "list")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        rows = [line.split() for line in r.stdout.splitlines()]
        self.assertEqual(rows[0][:2], ["TransactionalId", "Coordinator"], r.stdout)
        mine = [row for row in rows if row[0] == txn_id]
        self.assertEqual(len(mine), 1, r.stdout)
        self.assertEqual(mine[0][1], "0")
        self.assertEqual(mine[0][3], "CompleteAbort", r.stdout)

        r = kafka_dist.run_tool("kafka-transactions", "--bootstrap-server",
                                self.broker.bootstrap, "describe", "--transactional-id", txn_id)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("CompleteAbort", r.stdout)
        self.assertIn(mine[0][2], r.stdout, "the producer id list showed")


if __name__ == "__main__":
    unittest.main()

"""The S3 store and the exactly-once table sink against MinIO, the S3 server the
seed systems run, as test_s3_store.py and test_table_sink_s3.py do against s3rver.

MinIO honours If-None-Match on PUT and on CompleteMultipartUpload as AWS does,
so here every Delta commit takes the real conditional path. MinIO has no request
log like s3_server.mjs, so what the s3rver tests read from it (which calls were
made) is left to them; these check outcomes only. DuckDB reads the table's live
files after `sluice store get` copies them out (MinIO's own disk layout is not a
file per object). Set SLUICE_BIN to the sluice binary (ctest does)."""

import os
import shutil
import signal
import tempfile
import unittest
import uuid

import test_s3_store as s3_tests  # sluice(), sha256() (a module: its tests are not collected here)
import test_table_sink as sink_tests  # SinkTestCase
from broker import unique_name  # noqa: E402  (tests/clients, on sys.path once test_table_sink is imported)
from minio_server import MinioLakeCase, MinioServer

MiB = 1 << 20
sluice = s3_tests.sluice


class MinioStoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = MinioServer()
        cls.tmp = tempfile.mkdtemp(prefix="sluice-minio-test-")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.prefix = "t-" + uuid.uuid4().hex[:8]

    def file(self, data):
        path = os.path.join(self.tmp, uuid.uuid4().hex)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_check_finds_conditional_put(self):
        out = sluice("check", self.server.url(self.prefix)).stdout.decode()
        self.assertIn("conditional put: yes", out)
        for step in ("put", "get", "list", "put-if-absent", "delete"):
            self.assertRegex(out, rf"\n  {step} +OK ")
        self.assertIn("all checks passed", out)

    def test_put_if_absent_refuses_a_second_writer(self):
        url = self.server.url(self.prefix)
        sluice("put", url, "_delta_log/0.json", self.file(b"first"), "--if-absent")
        second = sluice("put", url, "_delta_log/0.json", self.file(b"second"), "--if-absent", check=False)
        self.assertEqual(second.returncode, 1)
        self.assertIn("already exists", second.stderr.decode())
        self.assertEqual(sluice("get", url, "_delta_log/0.json").stdout, b"first")

    def test_multipart_round_trip_and_multipart_if_absent(self):
        data = os.urandom(12 * MiB + 123)
        src = self.file(data)
        url = self.server.url(self.prefix, multipart_threshold=5 * MiB, part_size=5 * MiB)
        sluice("put", url, "big.bin", src, "--if-absent")
        dst = os.path.join(self.tmp, "big.out")
        sluice("get", url, "big.bin", "-o", dst)
        self.assertEqual(s3_tests.sha256(src), s3_tests.sha256(dst))
        again = sluice("put", url, "big.bin", self.file(b"x" * (6 * MiB)), "--if-absent", check=False)
        self.assertEqual(again.returncode, 1, again.stderr.decode())
        self.assertEqual(s3_tests.sha256(src), s3_tests.sha256(dst))

    def test_a_kill_mid_multipart_upload_leaves_no_object(self):
        src = self.file(os.urandom(12 * MiB))
        url = self.server.url(self.prefix, multipart_threshold=5 * MiB, part_size=5 * MiB)
        crashed = sluice("put", url, "crash.bin", src, env={"SLUICE_CRASH_AT": "store.put.partial"}, check=False)
        self.assertEqual(crashed.returncode, -signal.SIGKILL, crashed.stderr.decode())
        self.assertIn("0 object(s)", sluice("ls", url).stdout.decode())
        self.assertEqual(sluice("get", url, "crash.bin", check=False).returncode, 1)
        sluice("put", url, "crash.bin", src)  # a retry stores the whole object
        dst = os.path.join(self.tmp, "crash.out")
        sluice("get", url, "crash.bin", "-o", dst)
        self.assertEqual(s3_tests.sha256(src), s3_tests.sha256(dst))

    def test_keys_needing_encoding_round_trip(self):
        key = "odd keys/é + & ~x=1.txt"
        url = self.server.url(self.prefix)
        sluice("put", url, key, self.file(b"odd"))
        self.assertEqual(sluice("get", url, key).stdout, b"odd")
        self.assertIn(key, sluice("ls", url).stdout.decode())

    def test_list_pages_with_continuation_tokens(self):
        src = self.file(b"k")
        keys = [f"k/{i:02d}" for i in range(12)]
        for key in keys:
            sluice("put", self.server.url(self.prefix), key, src)
        out = sluice("ls", self.server.url(self.prefix, max_keys=5), "--prefix", "k/").stdout.decode()
        self.assertEqual([line.split()[0] for line in out.splitlines()[1:-1]], keys)

    def test_wrong_secret_key_is_a_clear_error(self):
        result = sluice("ls", self.server.url(self.prefix, secret_key="wrong-secret"), check=False)
        err = result.stderr.decode()
        self.assertEqual(result.returncode, 1, err)
        self.assertIn("HTTP 403 SignatureDoesNotMatch", err)
        self.assertIn("check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", err)


class TableSinkMinioTest(MinioLakeCase, sink_tests.SinkTestCase):
    """test_table_sink_s3's cases with `store: s3://lake/<prefix>` on MinIO."""

    LAKE_PREFIX = "sink-"

    def file_path(self, path):
        return self.local_copy(self.TABLE, path)

    def test_events_become_rows_once_on_minio(self):
        topic = unique_name("events")
        self.start(self.pipeline("p", topic, rows=200, interval="100ms"))
        self.produce(topic, [self.event(i) for i in range(1000)])
        self.wait_for_records(1000)
        self.assertEqual(self.table_counts(), {"n": 1000, "ids": 1000, "lo": 0, "hi": 999})

    # The same bodies as the local table's tests: only the store differs.
    test_kill_9_mid_stream_then_restart_loses_and_duplicates_nothing = \
        sink_tests.TableSinkTest.test_kill_9_mid_stream_then_restart_loses_and_duplicates_nothing
    test_two_pipelines_racing_on_one_table_both_land_without_loss = \
        sink_tests.TableSinkTest.test_two_pipelines_racing_on_one_table_both_land_without_loss

    def test_crash_before_the_commit_loses_nothing_and_vacuum_removes_the_orphans(self):
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=200, interval="100ms")
        self.crash_at("table.before_commit", path, topic, 1000)
        self.assertEqual(self.describe()["records"], 0)
        self.recover(path, 1000)
        orphans = self.vacuum_orphans()
        self.assertTrue(orphans and all(f.endswith(".parquet") for f in orphans), orphans)
        self.assertFalse(orphans & set(self.describe()["live_files"]))
        self.assertEqual(self.table_counts(), {"n": 1000, "ids": 1000, "lo": 0, "hi": 999})

    test_crash_after_the_commit_resumes_from_the_table_and_duplicates_nothing = \
        sink_tests.TableSinkTest.test_crash_after_the_commit_resumes_from_the_table_and_duplicates_nothing

if __name__ == "__main__":
    unittest.main()

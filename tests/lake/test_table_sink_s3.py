"""The table sink on S3: the same `sluice run` as test_table_sink.py with
`store: s3://lake/<prefix>`, against s3rver (s3_server.mjs) started with
--if-none-match, so Delta commits use the real conditional put (If-None-Match: *,
412 when the version exists) rather than the single-writer fallback. Endpoint
and credentials come from the environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY), as docs/object-store.md describes.

DuckDB reads the live files straight from s3rver's data directory (each object
is the file <data>/<bucket>/<key>._S3rver_object), which is simpler than
teaching DuckDB's httpfs to talk to s3rver; which files are live still comes
from `sluice table describe` on the s3:// URL."""

import os
import re
import unittest

import test_s3_store as s3_tests  # S3Server (modules, not classes: their tests are not collected here)
import test_table_sink as sink_tests  # SinkTestCase
from broker import unique_name  # noqa: E402  (tests/clients, on sys.path once test_table_sink is imported)


class TableSinkS3Test(s3_tests.S3LakeCase, sink_tests.SinkTestCase):

    LAKE_PREFIX = "sink-"

    def file_path(self, path):
        return os.path.join(self.server.dir, "data", "lake", self.prefix, self.TABLE, path + "._S3rver_object")

    def conditional_commit_versions(self):
        """Versions whose Delta log entry was written with If-None-Match: * (put-if-absent)."""
        entry = re.compile(r"^PUT /lake/%s/%s/_delta_log/(\d{20})\.json if-none-match$" % (self.prefix, self.TABLE))
        return {int(m.group(1)) for m in map(entry.match, self.server.requests()) if m}

    def test_events_become_rows_once_on_s3(self):
        topic = unique_name("events")
        self.start(self.pipeline("p", topic, rows=200, interval="100ms"))
        self.produce(topic, [self.event(i) for i in range(1000)])
        described = self.wait_for_records(1000)
        self.assertEqual(self.table_counts(), {"n": 1000, "ids": 1000, "lo": 0, "hi": 999})
        # CREATE TABLE and every append went through the conditional put, none through HEAD-then-PUT.
        self.assertEqual(self.conditional_commit_versions(), set(range(described["version"] + 1)))

    def test_crash_after_the_commit_on_s3_resumes_from_the_table_and_duplicates_nothing(self):
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=200, interval="100ms")
        self.crash_at("table.after_commit", path, topic, 1000)
        self.assertGreater(self.describe()["records"], 0)
        self.recover(path, 1000)


if __name__ == "__main__":
    unittest.main()

"""test_delta_rs.py's tables on S3 (MinIO, tests/lake/minio_server.py): delta-rs reads a
table sluice's sink wrote to s3://, appends to one sluice then optimizes and vacuums, and
appends while the sink commits. Both writers take MinIO's conditional put (If-None-Match:
*) for each commit, so neither may lose or double the other's version.

DuckDB reads the live files after `sluice store get` copies them out, keeping their
year=/month=/... directories for its hive partitioning."""

import json

import test_delta_rs as dr  # a module, so its own tests are not collected here
from minio_server import ACCESS_KEY, REGION, SECRET_KEY, MinioLakeCase


class DeltaRsOnMinioTest(MinioLakeCase, dr.DeltaRsTest):

    LAKE_PREFIX = "delta-rs-"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # delta-rs' object store: plain HTTP to 127.0.0.1, and commits by conditional put
        # (MinIO honours If-None-Match), so it needs no lock table.
        cls.STORAGE_OPTIONS = {"AWS_ENDPOINT_URL": cls.server.endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                               "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
                               "AWS_ALLOW_HTTP": "true", "AWS_CONDITIONAL_PUT": "etag"}

    def table_dir(self):
        return "%s/%s" % (self.lake, self.TABLE)

    def table_file(self, table, path):
        return self.local_copy(table, path)

    def test_delta_rs_reads_a_sinks_table_as_duckdb_does_and_from_its_checkpoint_alone(self):
        """On S3 the same comparison; the checkpoint-only read stays with the local test, which
        can delete the JSON commits under the checkpoint. Here: the sink did checkpoint."""
        self.assert_delta_rs_reads_the_sinks_table_as_duckdb_does()
        out = self.sluice("store", "get", self.lake, self.TABLE + "/_delta_log/_last_checkpoint")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertGreaterEqual(json.loads(out.stdout)["version"], 3)


if __name__ == "__main__":
    import unittest
    unittest.main()

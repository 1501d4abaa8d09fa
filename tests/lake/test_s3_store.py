"""The S3 store against a real S3 API server (s3rver behind s3_server.mjs, which
verifies SigV4 signatures), driven through `sluice store` as an operator would.

s3rver ignores If-None-Match on PUT, so the default server tests the
conditional_put=false (single-writer, HEAD then PUT) mode, and `store check`
must flag the server when conditional_put=true; a second server started with
--if-none-match answers 412 like AWS, to test the real conditional path.
Set SLUICE_BIN to the sluice binary (ctest does).
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SLUICE = os.environ.get("SLUICE_BIN", "sluice")
MiB = 1 << 20


class S3LakeCase:
    """Mixin: one s3rver for the class; each test's lake under its own prefix
    (`LAKE_PREFIX` + a random suffix) and `self.env` pointing processes at it."""

    LAKE_PREFIX = "lake-"

    @classmethod
    def server_flags(cls):
        """s3_server.mjs's flags for this class's server."""
        return ["--if-none-match"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = S3Server(*cls.server_flags())

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.prefix = self.LAKE_PREFIX + uuid.uuid4().hex[:8]
        self.lake = "s3://lake/" + self.prefix
        self.env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % self.server.port,
                    "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}


class S3Server:
    """A s3_server.mjs child on 127.0.0.1 with its own data directory."""

    def __init__(self, *flags):
        if not os.path.isdir(os.path.join(HERE, "node_modules", "s3rver")):
            raise RuntimeError("tests/lake/node_modules/s3rver is missing: run scripts/install-deps.sh")
        self.dir = tempfile.mkdtemp(prefix="sluice-s3-")
        self.log = open(os.path.join(self.dir, "requests.log"), "w+")
        # s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3
        # only offers through its legacy provider.
        self.proc = subprocess.Popen(["node", "--openssl-legacy-provider",
                                      os.path.join(HERE, "s3_server.mjs"),
                                      os.path.join(self.dir, "data"), *flags],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError("s3_server.mjs did not start; see " + self.log.name)
        self.port = json.loads(line)["port"]

    def url(self, prefix, **options):
        query = {"endpoint": f"http://127.0.0.1:{self.port}", "access_key": "S3RVER",
                 "secret_key": "S3RVER", **options}
        return f"s3://lake/{prefix}?" + "&".join(f"{k}={v}" for k, v in query.items())

    def requests(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read().splitlines()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def sluice(*args, env=None, check=True):
    result = subprocess.run([SLUICE, "store", *args], capture_output=True, timeout=120,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"sluice store {args} exited {result.returncode}: "
                             f"{result.stdout.decode()}{result.stderr.decode()}")
    return result


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class S3StoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = S3Server()
        cls.tmp = tempfile.mkdtemp(prefix="sluice-s3-test-")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.prefix = "t-" + uuid.uuid4().hex[:8]

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_check_passes_in_single_writer_mode(self):
        out = sluice("check", self.server.url(self.prefix, conditional_put="false")).stdout.decode()
        self.assertIn("conditional put: no, single-writer mode", out)
        for step in ("put", "get", "list", "put-if-absent", "delete"):
            self.assertRegex(out, rf"\n  {step} +OK ")
        self.assertIn("all checks passed", out)
        # The probe is deleted afterwards.
        self.assertIn("0 object(s)", sluice("ls", self.server.url(self.prefix)).stdout.decode())

    def test_check_flags_a_server_that_ignores_if_none_match(self):
        result = sluice("check", self.server.url(self.prefix), check=False)
        out = result.stdout.decode()
        self.assertEqual(result.returncode, 1, out)
        self.assertRegex(out, r"put-if-absent +FAIL .*ignores If-None-Match.*conditional_put=false")
        self.assertRegex(out, r"delete +OK")  # cleans up even after a failed step
        self.assertIn("store check FAILED", out)

    def test_small_object_round_trip(self):
        src = self.file("small.bin", os.urandom(1000))
        url = self.server.url(self.prefix)
        sluice("put", url, "dir/small.bin", src)
        dst = os.path.join(self.tmp, "small.out")
        sluice("get", url, "dir/small.bin", "-o", dst)
        self.assertEqual(sha256(src), sha256(dst))
        self.assertRegex(sluice("ls", url).stdout.decode(), r"dir/small.bin +1000 ")

    def test_multipart_object_round_trip(self):
        src = self.file("big.bin", os.urandom(12 * MiB + 123))
        url = self.server.url(self.prefix, multipart_threshold=5 * MiB, part_size=5 * MiB)
        sluice("put", url, "big.bin", src)
        dst = os.path.join(self.tmp, "big.out")
        sluice("get", url, "big.bin", "-o", dst)
        self.assertEqual(sha256(src), sha256(dst))
        log = "\n".join(r for r in self.server.requests() if f"/{self.prefix}/big.bin" in r)
        self.assertIn("?uploads", log)  # CreateMultipartUpload
        self.assertEqual(log.count("partNumber="), 3)  # 5 + 5 + 2 MiB
        self.assertRegex(log, r"POST \S+\?uploadId=")  # CompleteMultipartUpload

    def test_a_kill_mid_multipart_upload_leaves_no_object(self):
        src = self.file("crash.bin", os.urandom(12 * MiB))
        url = self.server.url(self.prefix, multipart_threshold=5 * MiB, part_size=5 * MiB)
        # The crash point store.put.partial (docs/reliability.md): SIGKILL after the first part.
        crashed = sluice("put", url, "crash.bin", src, env={"SLUICE_CRASH_AT": "store.put.partial"}, check=False)
        self.assertEqual(crashed.returncode, -signal.SIGKILL, crashed.stderr.decode())
        log = "\n".join(r for r in self.server.requests() if f"/{self.prefix}/crash.bin" in r)
        self.assertEqual(log.count("partNumber="), 1)
        self.assertNotRegex(log, r"POST \S+\?uploadId=")  # never completed (nor aborted)
        self.assertIn("0 object(s)", sluice("ls", url).stdout.decode())
        self.assertEqual(sluice("get", url, "crash.bin", check=False).returncode, 1)
        sluice("put", url, "crash.bin", src)  # a retry stores the whole object
        dst = os.path.join(self.tmp, "crash.out")
        sluice("get", url, "crash.bin", "-o", dst)
        self.assertEqual(sha256(src), sha256(dst))

    def test_keys_needing_encoding_round_trip(self):
        key = "odd keys/é + & ~x=1.txt"
        src = self.file("odd.bin", b"odd")
        url = self.server.url(self.prefix)
        sluice("put", url, key, src)
        self.assertEqual(sluice("get", url, key).stdout, b"odd")
        self.assertIn(key, sluice("ls", url).stdout.decode())

    def test_list_pages_with_continuation_tokens(self):
        src = self.file("k.bin", b"k")
        keys = [f"k/{i:02d}" for i in range(12)]
        for key in keys:
            sluice("put", self.server.url(self.prefix), key, src)
        out = sluice("ls", self.server.url(self.prefix, max_keys=5), "--prefix", "k/").stdout.decode()
        listed = [line.split()[0] for line in out.splitlines()[1:-1]]
        self.assertEqual(listed, keys)  # all pages, ascending
        pages = [r for r in self.server.requests() if "max-keys=5" in r and self.prefix in r]
        self.assertEqual(len(pages), 3)
        self.assertEqual(sum("continuation-token=" in r for r in pages), 2)

    def test_missing_object(self):
        result = sluice("get", self.server.url(self.prefix), "nope", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("no object 'nope'", result.stderr.decode())

    def test_if_absent_fallback_without_server_support(self):
        url = self.server.url(self.prefix, conditional_put="false")
        sluice("put", url, "commit/0.json", self.file("first", b"first"), "--if-absent")
        second = sluice("put", url, "commit/0.json", self.file("second", b"second"), "--if-absent",
                        check=False)
        self.assertEqual(second.returncode, 1)
        self.assertIn("already exists", second.stderr.decode())
        self.assertEqual(sluice("get", url, "commit/0.json").stdout, b"first")

    def test_wrong_secret_key_is_a_clear_error(self):
        url = self.server.url(self.prefix, secret_key="wrong")
        result = sluice("ls", url, check=False)
        err = result.stderr.decode()
        self.assertEqual(result.returncode, 1, err)
        self.assertIn("HTTP 403 SignatureDoesNotMatch", err)
        self.assertIn("check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", err)
        check = sluice("check", url, check=False)
        self.assertEqual(check.returncode, 1)
        self.assertRegex(check.stdout.decode(), r"put +FAIL .*SignatureDoesNotMatch")

    def test_unknown_access_key_is_a_clear_error(self):
        result = sluice("get", self.server.url(self.prefix, access_key="NOBODY"), "x", check=False)
        self.assertIn("HTTP 403 InvalidAccessKeyId", result.stderr.decode())

    def test_credentials_from_environment(self):
        url = f"s3://lake/{self.prefix}?conditional_put=false"
        env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.server.port}",
               "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}
        self.assertIn("all checks passed", sluice("check", url, env=env).stdout.decode())
        no_creds = {k: "" for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        result = sluice("ls", url, env={**env, **no_creds}, check=False)
        self.assertIn("no S3 credentials", result.stderr.decode())

    def test_unreachable_endpoint_is_a_clear_error(self):
        with socket_port() as port:
            url = (f"s3://lake/x?endpoint=http://127.0.0.1:{port}&access_key=a&secret_key=b"
                   "&max_attempts=2")
            result = sluice("ls", url, check=False)
        err = result.stderr.decode()
        self.assertEqual(result.returncode, 1)
        self.assertIn("no response", err)
        self.assertIn(f"check the endpoint http://127.0.0.1:{port} is reachable", err)


class socket_port:
    """A port nothing listens on (bound, never listened, so connections are refused)."""

    def __enter__(self):
        import socket
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc):
        self.sock.close()


class S3ConditionalPutTest(unittest.TestCase):
    """A server that honours If-None-Match: * the way AWS S3 does (412)."""

    @classmethod
    def setUpClass(cls):
        cls.server = S3Server("--if-none-match")
        cls.tmp = tempfile.mkdtemp(prefix="sluice-s3-test-")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def put(self, url, key, data, *flags):
        path = os.path.join(self.tmp, uuid.uuid4().hex)
        with open(path, "wb") as f:
            f.write(data)
        return sluice("put", url, key, path, *flags, check=False)

    def test_check_passes_with_conditional_put(self):
        out = sluice("check", self.server.url("c")).stdout.decode()
        self.assertIn("conditional put: yes", out)
        self.assertIn("all checks passed", out)

    def test_if_absent_sends_if_none_match_and_honours_412(self):
        url = self.server.url("cond")
        self.assertEqual(self.put(url, "0.json", b"first", "--if-absent").returncode, 0)
        second = self.put(url, "0.json", b"second", "--if-absent")
        self.assertEqual(second.returncode, 1)
        self.assertIn("already exists", second.stderr.decode())
        self.assertEqual(sluice("get", url, "0.json").stdout, b"first")
        puts = [r for r in self.server.requests() if r.startswith("PUT /lake/cond/0.json")]
        self.assertEqual(puts, ["PUT /lake/cond/0.json if-none-match"] * 2)  # no HEAD+PUT fallback

    def test_multipart_if_absent(self):
        url = self.server.url("mp", multipart_threshold=5 * MiB, part_size=5 * MiB)
        big = os.urandom(6 * MiB)
        self.assertEqual(self.put(url, "big", big, "--if-absent").returncode, 0)
        self.assertEqual(self.put(url, "big", b"x" * (6 * MiB), "--if-absent").returncode, 1)
        self.assertEqual(sluice("get", url, "big").stdout, big)


class S3RetryTest(unittest.TestCase):
    def test_transient_503s_are_retried(self):
        server = S3Server("--fail-first=2")
        try:
            out = sluice("check", server.url("r", conditional_put="false")).stdout.decode()
            self.assertIn("all checks passed", out)
            self.assertGreaterEqual(len(server.requests()), 8)
        finally:
            server.stop()

    def test_persistent_503_reports_the_attempts(self):
        server = S3Server("--fail-first=100")
        try:
            result = sluice("ls", server.url("r", max_attempts=3), check=False)
            err = result.stderr.decode()
            self.assertIn("HTTP 503 SlowDown", err)
            self.assertIn("after 3 attempts", err)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()

"""A MinIO server (the seed systems' S3 server) on 127.0.0.1 for the S3 tests that
run against it as well as against s3rver. The binary comes from
scripts/install-minio.sh (built from the Go module proxy into .cache/minio/); this
module builds it on first use, as install-deps.sh does.

MinIO starts with no bucket; the bucket is made with one SigV4-signed
CreateBucket request, the only S3 call the tests make without sluice."""

import datetime
import hashlib
import hmac
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MINIO = os.path.join(REPO, ".cache", "minio", "bin", "minio")
ACCESS_KEY = "sluice-minio"
SECRET_KEY = "sluice-minio-secret"
REGION = "us-east-1"


def ensure_minio():
    """Path of the pinned MinIO binary, built first if it is not there yet."""
    subprocess.run([os.path.join(REPO, "scripts", "install-minio.sh")], check=True,
                   stdout=subprocess.DEVNULL)
    return MINIO


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign_v4(method, host, path, payload=b""):
    """Headers of an AWS Signature Version 4 request to `host` (no query string)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload_hash = hashlib.sha256(payload).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload_hash, "x-amz-date": stamp}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, path, "", *("%s:%s" % (k, headers[k]) for k in sorted(headers)), "",
                           signed, payload_hash])
    scope = "%s/%s/s3/aws4_request" % (day, REGION)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (day, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
                                % (ACCESS_KEY, scope, signed, signature))
    return headers


class MinioServer:
    """`minio server` on a fresh data directory with bucket `bucket`; the same
    `port`, `url()` and `stop()` as test_s3_store.S3Server."""

    def __init__(self, bucket="lake"):
        binary = ensure_minio()
        self.dir = tempfile.mkdtemp(prefix="sluice-minio-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "minio.log"), "w+")
        env = dict(os.environ, MINIO_ROOT_USER=ACCESS_KEY, MINIO_ROOT_PASSWORD=SECRET_KEY,
                   MINIO_BROWSER="off", MINIO_UPDATE="off", MINIO_CI_CD="1")
        self.proc = subprocess.Popen([binary, "server", os.path.join(self.dir, "data"), "--quiet",
                                      "--address", "127.0.0.1:%d" % self.port,
                                      "--console-address", "127.0.0.1:%d" % free_port()],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        try:
            self.wait_ready()
            self.create_bucket(bucket)
        except Exception:
            self.stop()
            raise

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("minio exited %s; see %s" % (self.proc.returncode, self.log.name))
            try:
                with urllib.request.urlopen(self.endpoint + "/minio/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError("minio was not ready within %d s; see %s" % (timeout, self.log.name))

    def create_bucket(self, bucket, timeout=60):
        """CreateBucket, retried while MinIO answers 503: its health check says ready before
        its object layer is (seen in CI on a loaded machine)."""
        host = "127.0.0.1:%d" % self.port
        deadline = time.monotonic() + timeout
        while True:
            request = urllib.request.Request(self.endpoint + "/" + bucket, method="PUT",
                                             headers=sign_v4("PUT", host, "/" + bucket))
            try:
                with urllib.request.urlopen(request, timeout=10):
                    return
            except urllib.error.HTTPError as e:
                if e.code != 503 or time.monotonic() > deadline:
                    raise RuntimeError("minio refused to create bucket %s: HTTP %d; see %s"
                                       % (bucket, e.code, self.log.name)) from e
            time.sleep(0.2)

    def env(self):
        """The environment that points sluice (and delta-rs) at this server."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION}

    def url(self, prefix, **options):
        query = {"endpoint": self.endpoint, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, **options}
        return "s3://lake/%s?%s" % (prefix, "&".join("%s=%s" % kv for kv in query.items()))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class MinioLakeCase:
    """Mixin for a TestCase whose lake is `s3://lake/<prefix>` on one MinioServer per class:
    sets `self.lake`, `self.env` (for sluice processes) and `self.prefix` per test, and
    copies the table's objects out for DuckDB (`local_copy`)."""

    LAKE_PREFIX = "lake-"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = MinioServer()
        cls.copies = tempfile.mkdtemp(prefix="sluice-minio-files-")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.copies, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.prefix = self.LAKE_PREFIX + uuid.uuid4().hex[:8]
        self.lake = "s3://lake/" + self.prefix
        self.env = self.server.env()

    def local_copy(self, table, path):
        """A local copy of object `path` of `table` (keeping its year=/... folders)."""
        local = os.path.join(self.copies, self.prefix, table, path)
        if not os.path.exists(local):
            os.makedirs(os.path.dirname(local), exist_ok=True)
            out = subprocess.run([os.environ.get("SLUICE_BIN", "sluice"), "store", "get", self.lake,
                                  "%s/%s" % (table, path), "-o", local], capture_output=True, text=True,
                                 timeout=120, env={**os.environ, **self.env})
            if out.returncode != 0:
                raise AssertionError("sluice store get %s/%s failed: %s" % (table, path, out.stderr))
        return local

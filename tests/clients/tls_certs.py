"""Test certificates made with the `openssl` command, for the TLS tests (test_tls.py,
test_java_client.py): a CA, a server certificate for IP 127.0.0.1 signed by it, a client
certificate signed by it (subject CLIENT_DN), and a second, unrelated CA. EC P-256 keys,
unencrypted PKCS#8 PEM, valid for two days."""

import os
import subprocess

CLIENT_DN = "CN=alice,OU=tests,O=sluice"  # RFC 2253 order: most specific first


def _openssl(*args):
    r = subprocess.run(["openssl"] + list(args), capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), r.stderr))


def _make_ca(d, name):
    key, pem = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", pem, "-days", "2", "-subj", "/CN=" + name)
    return key, pem


def _make_signed(d, name, subject, ca_key, ca_pem, extensions=None):
    key, csr, pem = (os.path.join(d, name + ext) for ext in (".key", ".csr", ".pem"))
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", key, "-out", csr, "-subj", subject)
    args = ["x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
            "-out", pem, "-days", "2"]
    if extensions:
        ext = os.path.join(d, name + ".ext")
        with open(ext, "w") as f:
            f.write(extensions + "\n")
        args += ["-extfile", ext]
    _openssl(*args)
    return key, pem


def make_test_certs(d):
    """Writes the certificates into folder `d`; returns {name: path} with the keys ca,
    other_ca, server, server_key, client, client_key."""
    certs = {}
    ca_key, certs["ca"] = _make_ca(d, "sluice-test-ca")
    _, certs["other_ca"] = _make_ca(d, "unrelated-ca")
    certs["server_key"], certs["server"] = _make_signed(
        d, "server", "/CN=127.0.0.1", ca_key, certs["ca"], "subjectAltName=IP:127.0.0.1")
    certs["client_key"], certs["client"] = _make_signed(
        d, "client", "/O=sluice/OU=tests/CN=alice", ca_key, certs["ca"])
    return certs

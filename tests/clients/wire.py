"""Tiny hand-rolled Kafka wire-protocol helpers (socket + struct) for tests that
need requests no installed client sends: malformed frames, odd versions,
DeleteRecords. Only what the tests use."""

import socket
import struct
import time

# API keys
PRODUCE = 0
FETCH = 1
LIST_OFFSETS = 2
METADATA = 3
API_VERSIONS = 18
CREATE_TOPICS = 19
DELETE_RECORDS = 21

# Error codes
NONE = 0
OFFSET_OUT_OF_RANGE = 1
UNKNOWN_TOPIC_OR_PARTITION = 3
UNSUPPORTED_VERSION = 35


class Writer:
    def __init__(self):
        self.parts = []

    def raw(self, b):
        self.parts.append(bytes(b))
        return self

    def int8(self, v):
        return self.raw(struct.pack(">b", v))

    def int16(self, v):
        return self.raw(struct.pack(">h", v))

    def int32(self, v):
        return self.raw(struct.pack(">i", v))

    def int64(self, v):
        return self.raw(struct.pack(">q", v))

    def uvarint(self, v):
        out = bytearray()
        while True:
            b = v & 0x7F
            v >>= 7
            if v:
                out.append(b | 0x80)
            else:
                out.append(b)
                return self.raw(out)

    def string(self, s):
        if s is None:
            return self.int16(-1)
        b = s.encode() if isinstance(s, str) else s
        return self.int16(len(b)).raw(b)

    def compact_string(self, s):
        if s is None:
            return self.uvarint(0)
        b = s.encode() if isinstance(s, str) else s
        return self.uvarint(len(b) + 1).raw(b)

    def array(self, items, fn):
        if items is None:
            return self.int32(-1)
        self.int32(len(items))
        for it in items:
            fn(self, it)
        return self

    def tagged_fields(self):
        return self.uvarint(0)

    def bytes(self):
        return b"".join(self.parts)


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def _take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("response truncated: need %d bytes at %d of %d"
                             % (n, self.pos, len(self.data)))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def int8(self):
        return struct.unpack(">b", self._take(1))[0]

    def int16(self):
        return struct.unpack(">h", self._take(2))[0]

    def int32(self):
        return struct.unpack(">i", self._take(4))[0]

    def int64(self):
        return struct.unpack(">q", self._take(8))[0]

    def boolean(self):
        return self.int8() != 0

    def uvarint(self):
        shift = 0
        result = 0
        while True:
            b = self._take(1)[0]
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 35:
                raise ValueError("uvarint too long")

    def string(self):
        n = self.int16()
        if n < 0:
            return None
        return self._take(n).decode("utf-8", "replace")

    def compact_string(self):
        n = self.uvarint()
        if n == 0:
            return None
        return self._take(n - 1).decode("utf-8", "replace")

    def array(self, fn):
        n = self.int32()
        if n < 0:
            return None
        return [fn(self) for _ in range(n)]

    def compact_array(self, fn):
        n = self.uvarint()
        if n == 0:
            return None
        return [fn(self) for _ in range(n - 1)]

    def skip_tagged_fields(self):
        for _ in range(self.uvarint()):
            self.uvarint()  # tag
            self._take(self.uvarint())


def request_header_v1(api_key, api_version, correlation_id, client_id="sluice-wire-test"):
    return Writer().int16(api_key).int16(api_version).int32(correlation_id).string(client_id).bytes()


def request_header_v2(api_key, api_version, correlation_id, client_id="sluice-wire-test"):
    return request_header_v1(api_key, api_version, correlation_id, client_id) + b"\x00"


def frame(payload):
    return struct.pack(">i", len(payload)) + payload


class Connection:
    """A blocking socket to the broker with bounded reads."""

    def __init__(self, port, timeout=10.0, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_request(self, header, body=b""):
        self.sock.sendall(frame(header + body))

    def _recv_exact(self, n, deadline):
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("timed out reading %d bytes (got %d)" % (n, len(buf)))
            self.sock.settimeout(left)
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by broker after %d of %d bytes"
                                      % (len(buf), n))
            buf += chunk
        return bytes(buf)

    def recv_frame(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        size = struct.unpack(">i", self._recv_exact(4, deadline))[0]
        if size < 4 or size > 64 * 1024 * 1024:
            raise ValueError("implausible response size %d" % size)
        return self._recv_exact(size, deadline)

    def roundtrip(self, api_key, api_version, correlation_id, body=b"", flexible_header=False,
                  timeout=None):
        """Sends one request; returns a Reader positioned after the response
        correlation id (response header v0). Checks the correlation id."""
        hdr = (request_header_v2 if flexible_header else request_header_v1)(
            api_key, api_version, correlation_id)
        self.send_request(hdr, body)
        r = Reader(self.recv_frame(timeout))
        got = r.int32()
        if got != correlation_id:
            raise AssertionError("correlation id %d in response, expected %d" % (got, correlation_id))
        return r

    def wait_closed(self, timeout=10.0):
        """True if the broker closes the connection (EOF/reset) within timeout,
        draining anything it sends first. False if it is still open."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(min(left, 0.5))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                return True
            except OSError:
                return True
            if not chunk:
                return True


# ---------------------------------------------------------------- requests

def metadata_v1_body(topics=None):
    """topics=None: all topics (null array)."""
    return Writer().array(topics, lambda w, t: w.string(t)).bytes()


def parse_metadata_v1(r):
    brokers = r.array(lambda r: {"node_id": r.int32(), "host": r.string(), "port": r.int32(),
                                 "rack": r.string()})
    controller_id = r.int32()

    def partition(r):
        return {"error_code": r.int16(), "partition": r.int32(), "leader": r.int32(),
                "replicas": r.array(lambda r: r.int32()), "isr": r.array(lambda r: r.int32())}

    topics = r.array(lambda r: {"error_code": r.int16(), "name": r.string(),
                                "is_internal": r.boolean(), "partitions": r.array(partition)})
    return {"brokers": brokers, "controller_id": controller_id, "topics": topics}


def metadata_v1(port, topics=None, timeout=10.0, correlation_id=7):
    with Connection(port, timeout) as c:
        r = c.roundtrip(METADATA, 1, correlation_id, metadata_v1_body(topics))
        return parse_metadata_v1(r)


def api_versions_v3_body(software_name="sluice-wire-test", software_version="1.0"):
    return Writer().compact_string(software_name).compact_string(software_version) \
        .tagged_fields().bytes()


def parse_api_versions_v0(r):
    error_code = r.int16()
    keys = r.array(lambda r: (r.int16(), r.int16(), r.int16()))
    return {"error_code": error_code, "api_keys": keys}


def parse_api_versions_v3(r):
    error_code = r.int16()

    def key(r):
        k = (r.int16(), r.int16(), r.int16())
        r.skip_tagged_fields()
        return k

    keys = r.compact_array(key)
    throttle = r.int32()
    r.skip_tagged_fields()
    return {"error_code": error_code, "api_keys": keys, "throttle_time_ms": throttle}


def served_versions(port, timeout=10.0):
    """{api key: max version} from the broker's own ApiVersions (v0) answer."""
    with Connection(port, timeout) as c:
        resp = parse_api_versions_v0(c.roundtrip(API_VERSIONS, 0, 18))
    if resp["error_code"] != NONE:
        raise AssertionError("ApiVersions v0 answered error %d" % resp["error_code"])
    return {key: hi for key, _, hi in resp["api_keys"]}


def delete_records_v0_body(topic, partition_offsets, timeout_ms=10000):
    """partition_offsets: {partition: offset}; offset -1 means the high watermark."""
    w = Writer()
    w.array([topic], lambda w, t: (
        w.string(t),
        w.array(sorted(partition_offsets.items()),
                lambda w, po: (w.int32(po[0]), w.int64(po[1])))))
    w.int32(timeout_ms)
    return w.bytes()


def delete_records_v0(port, topic, partition_offsets, timeout=15.0):
    """Returns {partition: (low_watermark, error_code)}."""
    with Connection(port, timeout) as c:
        r = c.roundtrip(DELETE_RECORDS, 0, 21, delete_records_v0_body(topic, partition_offsets))
        r.int32()  # throttle_time_ms
        out = {}

        def part(r):
            p, low, err = r.int32(), r.int64(), r.int16()
            out[p] = (low, err)

        def topic_(r):
            r.string()
            r.array(part)

        r.array(topic_)
        return out


def list_offsets_v1(port, topic, partition_timestamps, timeout=10.0):
    """ListOffsets v1 for one topic. partition_timestamps: {partition: timestamp}
    (-2 earliest, -1 latest). Returns {partition: (error_code, timestamp, offset)}."""
    w = Writer().int32(-1)  # replica_id
    w.array([topic], lambda w, t: (
        w.string(t),
        w.array(sorted(partition_timestamps.items()),
                lambda w, pt: (w.int32(pt[0]), w.int64(pt[1])))))
    with Connection(port, timeout) as c:
        r = c.roundtrip(LIST_OFFSETS, 1, 33, w.bytes())
        out = {}

        def part(r):
            p, err, ts, off = r.int32(), r.int16(), r.int64(), r.int64()
            out[p] = (err, ts, off)

        r.array(lambda r: (r.string(), r.array(part)))
        return out


# ------------------------------------------------------- record batches (v2)

def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def _zigzag_varint(n):
    z = (n << 1) ^ (n >> 63)
    return Writer().uvarint(z & 0xFFFFFFFFFFFFFFFF).bytes()


def _varbytes(b):
    if b is None:
        return _zigzag_varint(-1)
    return _zigzag_varint(len(b)) + b


def record_batch(records, base_offset=0, timestamp=None, producer_id=-1, producer_epoch=-1,
                 base_sequence=-1):
    """An uncompressed magic-2 record batch. records: list of (key, value). An
    idempotent producer's batch carries its producer id, epoch and base sequence."""
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    body = bytearray()
    for i, (key, value) in enumerate(records):
        rec = b"\x00" + _zigzag_varint(0) + _zigzag_varint(i) + _varbytes(key) + \
            _varbytes(value) + _zigzag_varint(0)
        body += _zigzag_varint(len(rec)) + rec
    after_crc = (Writer().int16(0).int32(len(records) - 1).int64(ts).int64(ts)
                 .int64(producer_id).int16(producer_epoch).int32(base_sequence)
                 .int32(len(records)).bytes() + bytes(body))
    crc = crc32c(after_crc)
    after_length = Writer().int32(-1).int8(2).raw(struct.pack(">I", crc)).bytes() + after_crc
    return Writer().int64(base_offset).int32(len(after_length)).bytes() + after_length


def produce_v3_body(topic, partition, records_bytes, acks=-1, timeout_ms=10000):
    w = Writer().string(None).int16(acks).int32(timeout_ms)
    w.array([topic], lambda w, t: (
        w.string(t),
        w.array([partition], lambda w, p: (
            w.int32(p),
            w.int32(len(records_bytes)),
            w.raw(records_bytes)))))
    return w.bytes()


def produce_v3(port, topic, partition, records_bytes, timeout=15.0):
    """Returns (error_code, base_offset) for the one partition."""
    with Connection(port, timeout) as c:
        r = c.roundtrip(PRODUCE, 3, 41, produce_v3_body(topic, partition, records_bytes))
        out = []

        def part(r):
            out.append((r.int32(), r.int16(), r.int64(), r.int64()))

        r.array(lambda r: (r.string(), r.array(part)))
        r.int32()  # throttle
        (p, err, base, _), = out
        return err, base


def fetch_body(version, topic, partition, offset, max_wait_ms=100, partition_max_bytes=1 << 20):
    """Fetch request body for versions 4..11, one partition."""
    w = Writer().int32(-1).int32(max_wait_ms).int32(1).int32(1 << 24).int8(0)
    if version >= 7:
        w.int32(0).int32(-1)  # session id, epoch: sessionless
    w.array([topic], lambda w, t: (
        w.string(t),
        w.array([partition], lambda w, p: (
            w.int32(p),
            w.int32(-1) if version >= 9 else None,  # current leader epoch
            w.int64(offset),
            w.int64(-1) if version >= 5 else None,  # log start offset
            w.int32(partition_max_bytes)))))
    if version >= 7:
        w.array([], None)  # forgotten topics
    if version >= 11:
        w.string("")  # rack id
    return w.bytes()


def fetch(port, version, topic, partition, offset, timeout=10.0):
    """Fetch v4..v11 for one partition. Returns a dict with error_code,
    high_watermark, log_start_offset (v5+), aborted (None or list) and
    records_length (-1 for a null records field) and records."""
    assert 4 <= version <= 11
    with Connection(port, timeout) as c:
        r = c.roundtrip(FETCH, version, 55, fetch_body(version, topic, partition, offset))
        r.int32()  # throttle
        if version >= 7:
            r.int16()
            r.int32()
        r.int32()  # topics
        r.string()
        r.int32()  # partitions
        out = {"partition": r.int32(), "error_code": r.int16(), "high_watermark": r.int64(),
               "last_stable_offset": r.int64()}
        if version >= 5:
            out["log_start_offset"] = r.int64()
        out["aborted"] = r.array(lambda r: (r.int64(), r.int64()))
        if version >= 11:
            out["preferred_read_replica"] = r.int32()
        n = r.int32()
        out["records_length"] = n
        out["records"] = r._take(n) if n > 0 else b""
        return out

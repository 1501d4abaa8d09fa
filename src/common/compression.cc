// Codec glue over zlib, snappy, liblz4 (frame format) and libzstd. Output is
// capped so a small malicious batch cannot inflate into gigabytes.
#include "common/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <string>

namespace sluice {
namespace {

constexpr size_t kMaxInflated = 256u << 20;

[[noreturn]] void fail(const char* codec, const std::string& why) {
  throw DecodeError(std::string(codec) + " decompression failed: " + why);
}

void check_cap(size_t size, const char* codec) {
  if (size > kMaxInflated) fail(codec, "output exceeds 256 MiB");
}

Bytes gunzip(ByteSpan in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) fail("gzip", "inflateInit2");
  Bytes out;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = uInt(in.size());
  int rc = Z_OK;
  while (true) {
    size_t have = out.size();
    out.resize(have + 64 * 1024);
    z.next_out = out.data() + have;
    z.avail_out = 64 * 1024;
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
    check_cap(out.size(), "gzip");
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      inflateReset(&z);  // concatenated gzip members
      continue;
    }
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_out == 0)) {
      std::string why = z.msg ? z.msg : "corrupt or truncated stream";
      inflateEnd(&z);
      fail("gzip", why);
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      fail("gzip", "truncated stream");
    }
  }
  inflateEnd(&z);
  return out;
}

Bytes gzip(ByteSpan in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&z, uLong(in.size())) + 32);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = uInt(in.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes snappy_raw(ByteSpan in) {
  size_t len = 0;
  auto* p = reinterpret_cast<const char*>(in.data());
  if (!snappy::GetUncompressedLength(p, in.size(), &len)) fail("snappy", "bad length header");
  check_cap(len, "snappy");
  Bytes out(len);
  if (!snappy::RawUncompress(p, in.size(), reinterpret_cast<char*>(out.data()))) fail("snappy", "corrupt block");
  return out;
}

// Java clients frame snappy as: magic "\x82SNAPPY\0", version, compatible
// version, then blocks of [int32 compressed length][raw snappy block].
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};

Bytes unsnappy(ByteSpan in) {
  if (in.size() < 16 || !std::equal(kXerialMagic, kXerialMagic + 8, in.begin())) return snappy_raw(in);
  ByteReader r(in.subspan(16));
  Bytes out;
  while (!r.empty()) {
    int32_t n = r.i32();
    if (n < 0) fail("snappy", "negative xerial block length");
    Bytes block = snappy_raw(r.span(size_t(n), "xerial snappy block"));
    out.insert(out.end(), block.begin(), block.end());
    check_cap(out.size(), "snappy");
  }
  return out;
}

Bytes snappy_compress(ByteSpan in) {
  std::string out;
  snappy::Compress(reinterpret_cast<const char*>(in.data()), in.size(), &out);
  return Bytes(out.begin(), out.end());
}

Bytes unlz4(ByteSpan in) {
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) fail("lz4", "context");
  Bytes out;
  size_t pos = 0;
  while (pos < in.size()) {
    size_t have = out.size();
    out.resize(have + 64 * 1024);
    size_t dst = 64 * 1024, src = in.size() - pos;
    size_t rc = LZ4F_decompress(ctx, out.data() + have, &dst, in.data() + pos, &src, nullptr);
    out.resize(have + dst);
    if (LZ4F_isError(rc)) {
      std::string why = LZ4F_getErrorName(rc);
      LZ4F_freeDecompressionContext(ctx);
      fail("lz4", why);
    }
    check_cap(out.size(), "lz4");
    if (src == 0 && dst == 0) break;  // no progress: truncated input
    pos += src;
  }
  LZ4F_freeDecompressionContext(ctx);
  return out;
}

Bytes lz4_compress(ByteSpan in) {
  Bytes out(LZ4F_compressFrameBound(in.size(), nullptr));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), nullptr);
  if (LZ4F_isError(n)) throw std::runtime_error(std::string("lz4 compression failed: ") + LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

Bytes unzstd(ByteSpan in) {
  ZSTD_DStream* ds = ZSTD_createDStream();
  ZSTD_initDStream(ds);
  Bytes out;
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  for (;;) {
    size_t have = out.size();
    out.resize(have + ZSTD_DStreamOutSize());
    ZSTD_outBuffer dst{out.data() + have, ZSTD_DStreamOutSize(), 0};
    size_t rc = ZSTD_decompressStream(ds, &dst, &src);
    out.resize(have + dst.pos);
    std::string why = ZSTD_isError(rc) ? ZSTD_getErrorName(rc) : "";
    // Done once all input is read and the decoder did not fill its output (nothing buffered).
    bool finished = why.empty() && src.pos == src.size && dst.pos < dst.size;
    if (finished && rc != 0) why = "truncated frame";
    if (why.empty() && out.size() > kMaxInflated) why = "output exceeds 256 MiB";
    if (!why.empty()) {
      ZSTD_freeDStream(ds);
      fail("zstd", why);
    }
    if (finished) break;
  }
  ZSTD_freeDStream(ds);
  return out;
}

Bytes zstd_compress(ByteSpan in) {
  Bytes out(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace

const char* codec_name(Codec codec) {
  switch (codec) {
    case Codec::kNone: return "none";
    case Codec::kGzip: return "gzip";
    case Codec::kSnappy: return "snappy";
    case Codec::kLz4: return "lz4";
    case Codec::kZstd: return "zstd";
  }
  return "unknown";
}

Bytes decompress(Codec codec, ByteSpan in) {
  switch (codec) {
    case Codec::kNone: return Bytes(in.begin(), in.end());
    case Codec::kGzip: return gunzip(in);
    case Codec::kSnappy: return unsnappy(in);
    case Codec::kLz4: return unlz4(in);
    case Codec::kZstd: return unzstd(in);
  }
  throw DecodeError("unknown compression codec " + std::to_string(int(codec)));
}

Bytes compress(Codec codec, ByteSpan in) {
  switch (codec) {
    case Codec::kNone: return Bytes(in.begin(), in.end());
    case Codec::kGzip: return gzip(in);
    case Codec::kSnappy: return snappy_compress(in);
    case Codec::kLz4: return lz4_compress(in);
    case Codec::kZstd: return zstd_compress(in);
  }
  throw std::invalid_argument("unknown compression codec " + std::to_string(int(codec)));
}

}  // namespace sluice

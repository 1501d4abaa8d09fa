// Codec glue over zlib, snappy, liblz4 (frame format) and libzstd.
//
// Compressed bytes come straight from clients, so decoding is written for
// hostile input: every library result is checked, the decoders own no raw
// buffers (library contexts sit in RAII holders, so a throw never leaks), and
// all output goes through Inflated, which refuses to grow past 256 MiB so a
// small batch cannot inflate into gigabytes. Compression mirrors what Kafka
// clients emit, since the broker may hand what it compresses to any of them.
#include "common/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {
namespace {

constexpr size_t kMaxInflated = size_t{256} << 20;
constexpr size_t kChunk = size_t{64} << 10;

[[noreturn]] void fail(const char* codec, std::string_view why) {
  throw DecodeError(std::string(codec) + " decompression failed: " + std::string(why));
}

[[noreturn]] void compress_failed(const char* codec, std::string_view why) {
  throw std::runtime_error(std::string(codec) + " compression failed: " + std::string(why));
}

// Decompressed output under construction, capped at kMaxInflated. Decoders ask
// for space, let the library write into it, then commit what was written.
class Inflated {
 public:
  explicit Inflated(const char* codec) : codec_(codec) {}

  // Space for a streaming decoder: one chunk, but never more than one byte past
  // the cap, so a decoder that fills it has proven the output too large.
  std::span<uint8_t> next_chunk() { return grow(std::min(kChunk, kMaxInflated + 1 - out_.size())); }

  // Space for exactly `n` bytes that the format declared up front; checked
  // before allocating, so a lying length header costs nothing.
  std::span<uint8_t> exact(size_t n) {
    if (n > kMaxInflated - out_.size()) too_large();
    return grow(n);
  }

  // Keeps the first `n` bytes of the span handed out last.
  void commit(size_t n) {
    out_.resize(out_.size() - pending_ + n);
    pending_ = 0;
    if (out_.size() > kMaxInflated) too_large();
  }

  Bytes take() { return std::move(out_); }

 private:
  std::span<uint8_t> grow(size_t n) {
    size_t have = out_.size();
    out_.resize(have + n);
    pending_ = n;
    return {out_.data() + have, n};
  }
  [[noreturn]] void too_large() const { fail(codec_, "output exceeds the 256 MiB limit"); }

  const char* codec_;
  Bytes out_;
  size_t pending_ = 0;
};

// ---- gzip -------------------------------------------------------------------

// zlib counts in uInt; Kafka batches are bounded by an int32 length anyway.
uInt zlib_size(size_t n, const char* what) {
  if (n > UINT_MAX) throw std::length_error(std::string("gzip: ") + what + " larger than 4 GiB");
  return uInt(n);
}

struct Inflater {
  z_stream z{};
  Inflater() {
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) fail("gzip", "inflateInit2 failed");
  }
  ~Inflater() { inflateEnd(&z); }
};

Bytes gunzip(ByteSpan in) {
  Inflater inflater;
  z_stream& z = inflater.z;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = zlib_size(in.size(), "input");
  Inflated out("gzip");
  for (;;) {
    std::span<uint8_t> dst = out.next_chunk();
    z.next_out = dst.data();
    z.avail_out = uInt(dst.size());
    int rc = inflate(&z, Z_NO_FLUSH);
    out.commit(dst.size() - z.avail_out);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) return out.take();
      inflateReset(&z);  // another gzip member follows
    } else if (rc == Z_BUF_ERROR) {
      fail("gzip", "truncated stream");  // output space was offered, so input ran out
    } else if (rc != Z_OK) {
      fail("gzip", z.msg ? z.msg : zError(rc));
    }
  }
}

struct Deflater {
  z_stream z{};
  Deflater() {
    int rc =
        deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) compress_failed("gzip", zError(rc));
  }
  ~Deflater() { deflateEnd(&z); }
};

Bytes gzip(ByteSpan in) {
  Deflater deflater;
  z_stream& z = deflater.z;
  Bytes out(deflateBound(&z, zlib_size(in.size(), "input")));
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = uInt(in.size());
  z.next_out = out.data();
  z.avail_out = zlib_size(out.size(), "output");
  int rc = deflate(&z, Z_FINISH);
  if (rc != Z_STREAM_END) compress_failed("gzip", z.msg ? z.msg : zError(rc));
  out.resize(z.total_out);
  return out;
}

// ---- snappy -----------------------------------------------------------------

// Java clients wrap snappy in xerial's stream format: this magic, two int32
// version fields, then blocks of [int32 BE compressed length][raw snappy].
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;

bool is_xerial(ByteSpan in) {
  return in.size() >= sizeof(kXerialMagic) &&
         std::equal(std::begin(kXerialMagic), std::end(kXerialMagic), in.begin());
}

void append_raw_snappy(ByteSpan block, Inflated& out) {
  auto* src = reinterpret_cast<const char*>(block.data());
  size_t len = 0;
  if (!snappy::GetUncompressedLength(src, block.size(), &len)) {
    fail("snappy", "corrupt block length header");
  }
  std::span<uint8_t> dst = out.exact(len);
  if (!snappy::RawUncompress(src, block.size(), reinterpret_cast<char*>(dst.data()))) {
    fail("snappy", "corrupt block");
  }
  out.commit(len);
}

Bytes unsnappy(ByteSpan in) {
  Inflated out("snappy");
  if (!is_xerial(in)) {
    append_raw_snappy(in, out);
    return out.take();
  }
  if (in.size() < kXerialHeaderSize) fail("snappy", "truncated xerial header");
  for (ByteSpan rest = in.subspan(kXerialHeaderSize); !rest.empty();) {
    if (rest.size() < 4) fail("snappy", "truncated xerial block length");
    size_t n = load_be32(rest.data());
    rest = rest.subspan(4);
    if (n > rest.size()) {
      fail("snappy", "xerial block of " + std::to_string(n) + " bytes but only " +
                         std::to_string(rest.size()) + " left");
    }
    append_raw_snappy(rest.first(n), out);
    rest = rest.subspan(n);
  }
  return out.take();
}

Bytes snappy_compress(ByteSpan in) {
  Bytes out(snappy::MaxCompressedLength(in.size()));
  size_t n = 0;
  snappy::RawCompress(reinterpret_cast<const char*>(in.data()), in.size(),
                      reinterpret_cast<char*>(out.data()), &n);
  out.resize(n);
  return out;
}

// ---- lz4 --------------------------------------------------------------------

struct Lz4DctxFree {
  void operator()(LZ4F_dctx* ctx) const { LZ4F_freeDecompressionContext(ctx); }
};

Bytes unlz4(ByteSpan in) {
  LZ4F_dctx* raw = nullptr;
  size_t rc = LZ4F_createDecompressionContext(&raw, LZ4F_VERSION);
  std::unique_ptr<LZ4F_dctx, Lz4DctxFree> ctx(raw);
  if (LZ4F_isError(rc)) fail("lz4", LZ4F_getErrorName(rc));
  Inflated out("lz4");
  size_t pos = 0;
  size_t hint = 1;  // LZ4F_decompress returns 0 once a frame is fully decoded and flushed
  while (pos < in.size() || hint != 0) {
    std::span<uint8_t> dst = out.next_chunk();
    size_t dst_size = dst.size();
    size_t src_size = in.size() - pos;
    hint = LZ4F_decompress(ctx.get(), dst.data(), &dst_size, in.data() + pos, &src_size, nullptr);
    if (LZ4F_isError(hint)) fail("lz4", LZ4F_getErrorName(hint));
    out.commit(dst_size);
    pos += src_size;
    if (src_size == 0 && dst_size == 0) fail("lz4", "truncated frame");
  }
  return out.take();
}

Bytes lz4_compress(ByteSpan in) {
  // Kafka's Java decoder rejects linked blocks; it writes independent 64 KiB
  // blocks without content size, and so do we.
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  Bytes out(LZ4F_compressFrameBound(in.size(), &prefs));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) compress_failed("lz4", LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

// ---- zstd -------------------------------------------------------------------

struct ZstdDctxFree {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};

Bytes unzstd(ByteSpan in) {
  std::unique_ptr<ZSTD_DCtx, ZstdDctxFree> ctx(ZSTD_createDCtx());
  if (!ctx) fail("zstd", "out of memory creating a context");
  Inflated out("zstd");
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  size_t hint = 1;  // ZSTD_decompressStream returns 0 once a frame is decoded and flushed
  while (src.pos < src.size || hint != 0) {
    std::span<uint8_t> dst_span = out.next_chunk();
    ZSTD_outBuffer dst{dst_span.data(), dst_span.size(), 0};
    size_t consumed_before = src.pos;
    hint = ZSTD_decompressStream(ctx.get(), &dst, &src);
    if (ZSTD_isError(hint)) fail("zstd", ZSTD_getErrorName(hint));
    out.commit(dst.pos);
    if (dst.pos == 0 && src.pos == consumed_before) fail("zstd", "truncated frame");
  }
  return out.take();
}

Bytes zstd_compress(ByteSpan in) {
  Bytes out(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) compress_failed("zstd", ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace

const char* codec_name(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kGzip:
      return "gzip";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kLz4:
      return "lz4";
    case Codec::kZstd:
      return "zstd";
  }
  return "unknown";
}

Bytes decompress(Codec codec, ByteSpan in) {
  if (codec == Codec::kNone) return Bytes(in.begin(), in.end());
  // No compressor emits zero bytes, whatever the codec.
  if (in.empty()) fail(codec_name(codec), "empty input");
  switch (codec) {
    case Codec::kGzip:
      return gunzip(in);
    case Codec::kSnappy:
      return unsnappy(in);
    case Codec::kLz4:
      return unlz4(in);
    case Codec::kZstd:
      return unzstd(in);
    default:
      throw DecodeError("unknown compression codec " + std::to_string(int(codec)));
  }
}

Bytes compress(Codec codec, ByteSpan in) {
  switch (codec) {
    case Codec::kNone:
      return Bytes(in.begin(), in.end());
    case Codec::kGzip:
      return gzip(in);
    case Codec::kSnappy:
      return snappy_compress(in);
    case Codec::kLz4:
      return lz4_compress(in);
    case Codec::kZstd:
      return zstd_compress(in);
  }
  throw std::invalid_argument("unknown compression codec " + std::to_string(int(codec)));
}

}  // namespace sluice

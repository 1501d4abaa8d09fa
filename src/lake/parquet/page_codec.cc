// Page compression over libsnappy and libzstd (see page_codec.h).
#include "lake/parquet/page_codec.h"

#include <snappy.h>
#include <zstd.h>

#include <bit>

#include "lake/parquet/metadata.h"

namespace sluice::lake::parquet {

// PLAIN values and level lengths are little-endian and copied straight from memory.
static_assert(std::endian::native == std::endian::little,
              "sluice's Parquet code assumes a little-endian host");

namespace {
// zstd's fastest levels compress Parquet pages nearly as well as the default and much faster.
constexpr int kZstdLevel = 1;
}  // namespace

struct PageCompressor::Zstd {
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ~Zstd() { ZSTD_freeCCtx(ctx); }
};

PageCompressor::PageCompressor(Codec codec) : codec_(codec) {
  if (codec == Codec::kZstd) zstd_ = std::make_unique<Zstd>();
}

PageCompressor::~PageCompressor() = default;

void PageCompressor::compress(std::string_view in, std::string& out) {
  switch (codec_) {
    case Codec::kUncompressed:
      out.assign(in);
      return;
    case Codec::kSnappy: {
      out.resize(snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out.data(), &n);
      out.resize(n);
      return;
    }
    case Codec::kZstd: {
      out.resize(ZSTD_compressBound(in.size()));
      const size_t n =
          ZSTD_compressCCtx(zstd_->ctx, out.data(), out.size(), in.data(), in.size(), kZstdLevel);
      if (ZSTD_isError(n)) throw ParquetError(std::string("zstd: ") + ZSTD_getErrorName(n));
      out.resize(n);
      return;
    }
  }
  throw ParquetError("unknown codec");
}

void decompress(Codec codec, std::string_view in, size_t expected_size, std::string& out) {
  switch (codec) {
    case Codec::kUncompressed:
      if (in.size() != expected_size) throw ParquetError("page size does not match its header");
      out.assign(in);
      return;
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != expected_size) {
        throw ParquetError("snappy: page length does not match its header");
      }
      out.resize(n);
      if (!snappy::RawUncompress(in.data(), in.size(), out.data()))
        throw ParquetError("snappy: corrupt page");
      return;
    }
    case Codec::kZstd: {
      out.resize(expected_size);
      const size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
      if (ZSTD_isError(n) || n != expected_size) throw ParquetError("zstd: corrupt page");
      return;
    }
  }
  throw ParquetError("unknown codec");
}

int32_t codec_to_thrift(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return meta::kUncompressed;
    case Codec::kSnappy:
      return meta::kSnappy;
    case Codec::kZstd:
      return meta::kZstd;
  }
  throw ParquetError("unknown codec");
}

Codec codec_from_thrift(int32_t value) {
  switch (value) {
    case meta::kUncompressed:
      return Codec::kUncompressed;
    case meta::kSnappy:
      return Codec::kSnappy;
    case meta::kZstd:
      return Codec::kZstd;
    default:
      throw ParquetError("unsupported compression codec " + std::to_string(value));
  }
}

}  // namespace sluice::lake::parquet

// Page compression for the three codecs sluice writes (none, raw snappy, zstd frame),
// as parquet-format's CompressionCodec defines them.
//
// Invariant: decompress() yields exactly `expected_size` bytes or throws
// ParquetError; it never allocates more than expected_size, so a lying page
// header cannot make the reader allocate unbounded memory.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet {

// Reuses one zstd context across pages (creating one per page costs more than small pages).
class PageCompressor {
 public:
  explicit PageCompressor(Codec codec);
  ~PageCompressor();
  PageCompressor(const PageCompressor&) = delete;
  PageCompressor& operator=(const PageCompressor&) = delete;

  Codec codec() const { return codec_; }
  // Replaces `out` with the compressed form of `in` (a copy for kUncompressed).
  void compress(std::string_view in, std::string& out);

 private:
  Codec codec_;
  struct Zstd;
  std::unique_ptr<Zstd> zstd_;
};

void decompress(Codec codec, std::string_view in, size_t expected_size, std::string& out);

// parquet.thrift CompressionCodec value of a codec, and back (throws if unsupported).
int32_t codec_to_thrift(Codec codec);
Codec codec_from_thrift(int32_t value);

}  // namespace sluice::lake::parquet

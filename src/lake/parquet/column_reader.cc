// Column chunk decoding: page headers, decompression, levels, PLAIN and
// dictionary values (see column_reader.h).
#include "lake/parquet/column_reader.h"

#include <algorithm>
#include <cstring>

#include "lake/parquet/page_codec.h"
#include "lake/parquet/plain_decoder.h"
#include "lake/parquet/rle.h"

namespace sluice::lake::parquet {
namespace {

// Caps on what a page may claim, so a hostile header cannot make us allocate gigabytes.
constexpr int64_t kMaxPageEntries = 1 << 21;  // the writer stops at 1 << 20
constexpr int64_t kMaxPageBytes = int64_t(1) << 30;

[[noreturn]] void fail(const Leaf& leaf, const std::string& what) {
  throw ParquetError("column '" + leaf.path + "': " + what);
}

// The page loop: headers, decompression and levels here, values through a PageValues.
class ChunkDecoder {
 public:
  ChunkDecoder(const Leaf& leaf, Codec codec, int64_t num_values, std::vector<uint8_t>& defs,
               std::vector<uint8_t>& reps, PageValues& values)
      : leaf_(leaf),
        codec_(codec),
        num_values_(num_values),
        first_(defs.size()),
        defs_(defs),
        reps_(reps),
        values_(values) {
    // Room for the levels up front (no regrowth per page); capped, since a malformed
    // footer may claim any count and must fail with ParquetError, not exhaust memory.
    defs_.reserve(first_ + size_t(std::min<int64_t>(num_values, int64_t(1) << 20)));
  }

  // Consumes one page from the front of `chunk`.
  void page(std::string_view& chunk) {
    size_t used = 0;
    const meta::PageHeader h = meta::decode_page_header(chunk, used);
    chunk.remove_prefix(used);
    if (h.compressed_page_size < 0 || size_t(h.compressed_page_size) > chunk.size())
      fail(leaf_, "page overruns its chunk");
    if (h.uncompressed_page_size < 0 || h.uncompressed_page_size > kMaxPageBytes)
      fail(leaf_, "bad page size");
    const std::string_view payload = chunk.substr(0, size_t(h.compressed_page_size));
    chunk.remove_prefix(payload.size());
    if (h.type == meta::kIndexPage) return;
    decompress(codec_, payload, size_t(h.uncompressed_page_size), buffer_);
    if (h.type == meta::kDictionaryPage && h.dictionary_page)
      return dictionary_page(*h.dictionary_page);
    if (h.type == meta::kDataPage && h.data_page) return data_page(*h.data_page);
    fail(leaf_, "unsupported page type " + std::to_string(h.type));
  }

  bool done() const { return int64_t(defs_.size() - first_) >= num_values_; }

 private:
  void dictionary_page(const meta::DictionaryPageHeader& h) {
    if (h.encoding != meta::kPlain && h.encoding != meta::kPlainDictionary)
      fail(leaf_, "dictionary not PLAIN");
    if (h.num_values < 0 || size_t(h.num_values) > buffer_.size())
      fail(leaf_, "bad dictionary size");
    values_.dictionary(leaf_.type, buffer_, size_t(h.num_values));
  }

  void levels(std::string_view page, size_t& pos, size_t n, uint8_t max,
              std::vector<uint8_t>& out) {
    if (max == 0) return out.resize(out.size() + n, 0);
    uint32_t len;
    if (page.size() - pos < 4) fail(leaf_, "truncated levels");
    std::memcpy(&len, page.data() + pos, 4);
    pos += 4;
    if (len > page.size() - pos) fail(leaf_, "levels overrun their page");
    scratch_.resize(n);
    RleDecoder(reinterpret_cast<const uint8_t*>(page.data() + pos), len, bit_width_for(max))
        .decode(scratch_.data(), n);
    pos += len;
    for (uint32_t v : scratch_) {
      if (v > max) fail(leaf_, "level above its maximum");
      out.push_back(uint8_t(v));
    }
  }

  void data_page(const meta::DataPageHeader& h) {
    if (h.num_values < 0 || h.num_values > kMaxPageEntries) fail(leaf_, "bad page value count");
    if (int64_t(defs_.size() - first_) + h.num_values > num_values_)
      fail(leaf_, "more values than its metadata says");
    if (h.definition_level_encoding != meta::kRle || h.repetition_level_encoding != meta::kRle) {
      fail(leaf_, "levels not RLE-encoded");
    }
    const size_t n = size_t(h.num_values);
    const size_t first = defs_.size();
    size_t pos = 0;
    levels(buffer_, pos, n, leaf_.max_rep, reps_);
    levels(buffer_, pos, n, leaf_.max_def, defs_);
    size_t present = 0;
    for (size_t i = first; i < defs_.size(); ++i) present += defs_[i] == leaf_.max_def;
    if (h.encoding == meta::kPlain) {
      values_.plain(leaf_.type, buffer_, pos, present);
    } else if (h.encoding == meta::kRleDictionary || h.encoding == meta::kPlainDictionary) {
      dictionary_values(std::string_view(buffer_).substr(pos), present);
    } else {
      fail(leaf_, "unsupported encoding " + std::to_string(h.encoding));
    }
  }

  void dictionary_values(std::string_view data, size_t present) {
    if (present == 0) return;
    if (data.empty()) fail(leaf_, "missing dictionary bit width");
    const int width = uint8_t(data[0]);
    scratch_.resize(present);
    RleDecoder(reinterpret_cast<const uint8_t*>(data.data() + 1), data.size() - 1, width)
        .decode(scratch_.data(), present);
    const size_t size = values_.dictionary_size();
    for (uint32_t index : scratch_)
      if (index >= size) fail(leaf_, "dictionary index out of range");
    values_.indices(scratch_.data(), present);
  }

  const Leaf& leaf_;
  Codec codec_;
  int64_t num_values_;
  size_t first_;  // entries of defs_ before this chunk
  std::vector<uint8_t>& defs_;
  std::vector<uint8_t>& reps_;
  PageValues& values_;
  std::string buffer_;  // the current page, decompressed
  std::vector<uint32_t> scratch_;
};

// ColumnData's values: one Value per non-null entry.
class ValueCells final : public PageValues {
 public:
  ValueCells(std::vector<Value>& out, int64_t expected) : out_(out) {
    out_.reserve(
        size_t(std::clamp<int64_t>(expected, 0, int64_t(1) << 20)));  // capped as the levels
  }
  void dictionary(Type type, std::string& page, size_t count) override {
    dictionary_.clear();
    decode_plain(type, page, count, dictionary_);
  }
  size_t dictionary_size() const override { return dictionary_.size(); }
  void plain(Type type, std::string& page, size_t pos, size_t count) override {
    decode_plain(type, std::string_view(page).substr(pos), count, out_);
  }
  void indices(const uint32_t* indices, size_t count) override {
    for (size_t i = 0; i < count; ++i) out_.push_back(dictionary_[indices[i]]);
  }

 private:
  std::vector<Value>& out_;
  std::vector<Value> dictionary_;
};

std::string_view chunk_bytes(std::string_view file, const meta::ColumnMetaData& m,
                             const Leaf& leaf) {
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset < start)
    start = *m.dictionary_page_offset;
  const int64_t size = m.total_compressed_size;
  if (start < 0 || size < 0 || start > int64_t(file.size()) ||
      size > int64_t(file.size()) - start) {
    fail(leaf, "chunk lies outside the file");
  }
  return file.substr(size_t(start), size_t(size));
}

}  // namespace

void decode_column_chunk(std::string_view file, const meta::ColumnChunk& chunk, const Leaf& leaf,
                         std::vector<uint8_t>& defs, std::vector<uint8_t>& reps,
                         PageValues& values) {
  if (!chunk.meta_data) fail(leaf, "chunk without metadata");
  const meta::ColumnMetaData& m = *chunk.meta_data;
  if (m.type != physical_type(leaf.type)) fail(leaf, "physical type differs from the schema");
  if (m.num_values < 0) fail(leaf, "negative value count");
  std::string_view bytes = chunk_bytes(file, m, leaf);
  ChunkDecoder decoder(leaf, codec_from_thrift(m.codec), m.num_values, defs, reps, values);
  while (!decoder.done()) {
    if (bytes.empty()) fail(leaf, "chunk ends before its values");
    decoder.page(bytes);
  }
}

ColumnData read_column_chunk(std::string_view file, const meta::ColumnChunk& chunk,
                             const Leaf& leaf) {
  ColumnData out;
  ValueCells values(out.values, chunk.meta_data ? chunk.meta_data->num_values : 0);
  decode_column_chunk(file, chunk, leaf, out.defs, out.reps, values);
  return out;
}

}  // namespace sluice::lake::parquet

// Page and chunk encoding of one leaf column (see column_writer.h).
#include "lake/parquet/column_writer.h"

#include "lake/parquet/rle.h"

namespace sluice::lake::parquet {
namespace {

bool is_bytes(Type t) {
  return t == Type::kString || t == Type::kBinary;
}

}  // namespace

ColumnWriter::ColumnWriter(const Leaf& leaf, const WriterOptions& options,
                           PageCompressor& compressor)
    : leaf_(leaf),
      options_(options),
      compressor_(&compressor),
      max_def_(leaf.max_def),
      max_rep_(leaf.max_rep),
      use_dictionary_(options.dictionary && is_bytes(leaf.type)),
      dictionary_mode_(use_dictionary_),
      chunk_stats_(leaf.type),
      file_stats_(leaf.type) {
  const size_t expected = size_t(std::min<int64_t>(options.page_bytes, 1 << 20));
  values_.reserve(expected + 64);
  if (max_def_) defs_.reserve(4096);
  if (max_rep_) reps_.reserve(4096);
}

void ColumnWriter::put_dictionary(std::string_view v) {
  bool added = false;
  indices_.push_back(dictionary_.insert(v, added));
  if (!added) return;
  chunk_stats_.add_bytes(v);  // stats only need each distinct value once
  if (int64_t(dictionary_.plain().size()) > options_.dictionary_bytes) fallback_pending_ = true;
}

void ColumnWriter::flush_bool_byte() {
  values_.push_back(char(bool_byte_));
  bool_byte_ = 0;
  bool_bits_ = 0;
}

void ColumnWriter::fall_back_to_plain() {
  close_page();
  dictionary_mode_ = false;
  fallback_pending_ = false;
}

void ColumnWriter::close_page() {
  if (entries_ == 0) return;
  page_.clear();
  if (max_rep_) encode_levels(reps_.data(), reps_.size(), max_rep_, page_);
  if (max_def_) encode_levels(defs_.data(), defs_.size(), max_def_, page_);
  meta::DataPageHeader data;
  data.num_values = int32_t(entries_);
  // A page of nulls before the first value has no dictionary to refer to: PLAIN, with no values.
  if (dictionary_mode_ && dictionary_.size() > 0) {
    const int width = bit_width_for(dictionary_.size() - 1);
    page_.push_back(char(width));
    rle_encode(indices_.data(), indices_.size(), width, page_);
    data.encoding = meta::kRleDictionary;
    dictionary_pages_ = true;
  } else {
    if (bool_bits_) flush_bool_byte();
    page_.append(values_);
    data.encoding = meta::kPlain;
    plain_pages_ = true;
  }
  meta::PageHeader header;
  header.type = meta::kDataPage;
  header.data_page = data;
  encode_page(header, page_);
  pages_bytes_ += int64_t(header_.size() + compressed_.size());
  pages_.push_back(header_);
  pages_.push_back(std::move(compressed_));
  compressed_ = std::string();
  chunk_values_ += entries_;
  entries_ = 0;
  defs_.clear();
  reps_.clear();
  values_.clear();
  indices_.clear();
}

void ColumnWriter::encode_page(const meta::PageHeader& h, std::string_view payload) {
  compressor_->compress(payload, compressed_);
  meta::PageHeader header = h;
  header.uncompressed_page_size = int32_t(payload.size());
  header.compressed_page_size = int32_t(compressed_.size());
  header_.clear();
  meta::encode(header, header_);
  uncompressed_bytes_ += int64_t(header_.size() + payload.size());
  compressed_bytes_ += int64_t(header_.size() + compressed_.size());
}

void ColumnWriter::write_dictionary_page(std::string& file) {
  meta::PageHeader header;
  header.type = meta::kDictionaryPage;
  header.dictionary_page = meta::DictionaryPageHeader{int32_t(dictionary_.size()), meta::kPlain};
  encode_page(header, dictionary_.plain());
  file.append(header_);
  file.append(compressed_);
}

meta::ColumnMetaData ColumnWriter::chunk_metadata() const {
  meta::ColumnMetaData m;
  m.type = physical_type(leaf_.type);
  if (plain_pages_ || dictionary_pages_)
    m.encodings.push_back(meta::kPlain);  // data or dictionary page
  m.encodings.push_back(meta::kRle);      // levels
  if (dictionary_pages_) m.encodings.push_back(meta::kRleDictionary);
  m.path = leaf_.path_in_schema;
  m.codec = codec_to_thrift(compressor_->codec());
  m.num_values = chunk_values_;
  m.total_uncompressed_size = uncompressed_bytes_;
  m.total_compressed_size = compressed_bytes_;
  m.statistics = chunk_stats_.to_thrift();
  return m;
}

meta::ColumnChunk ColumnWriter::flush_chunk(std::string& file) {
  close_page();
  const int64_t start = int64_t(file.size());
  meta::ColumnChunk chunk;
  chunk.file_offset = start;
  if (dictionary_pages_) write_dictionary_page(file);
  const int64_t data_start = int64_t(file.size());
  for (const auto& p : pages_) file.append(p);
  chunk.meta_data = chunk_metadata();
  if (dictionary_pages_) chunk.meta_data->dictionary_page_offset = start;
  chunk.meta_data->data_page_offset = data_start;
  file_stats_.merge(chunk_stats_);
  reset_chunk();
  return chunk;
}

void ColumnWriter::reset_chunk() {
  dictionary_mode_ = use_dictionary_;
  fallback_pending_ = false;
  dictionary_pages_ = false;
  plain_pages_ = false;
  dictionary_.clear();
  pages_.clear();
  pages_bytes_ = 0;
  chunk_values_ = 0;
  uncompressed_bytes_ = 0;
  compressed_bytes_ = 0;
  chunk_stats_.reset();
}

}  // namespace sluice::lake::parquet

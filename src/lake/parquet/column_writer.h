// Writes one leaf column of a row group: levels and values are buffered for the
// open page, pages are encoded and compressed as they fill, and the whole
// column chunk is appended to the file when the row group closes.
//
// Invariants: a page starts at a record boundary (repetition level 0), so no
// list spans two pages; string/binary chunks start dictionary-encoded and
// switch to PLAIN for the rest of the chunk (at a record boundary) once the
// dictionary passes options.dictionary_bytes; the dictionary page, when there
// is one, precedes the chunk's data pages.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "lake/parquet/dictionary.h"
#include "lake/parquet/metadata.h"
#include "lake/parquet/page_codec.h"
#include "lake/parquet/schema.h"
#include "lake/parquet/stats.h"

namespace sluice::lake::parquet {

class ColumnWriter {
 public:
  ColumnWriter(const Leaf& leaf, const WriterOptions& options, PageCompressor& compressor);

  // The compressor for the pages this writer closes from now on (one per thread).
  void use_compressor(PageCompressor& c) { compressor_ = &c; }
  uint8_t max_def() const { return max_def_; }
  uint8_t max_rep() const { return max_rep_; }

  // One level entry; when def == max_def() the caller then puts exactly one value.
  void add_levels(uint8_t def, uint8_t rep) {
    if (rep == 0) at_record_start();
    ++entries_;
    if (max_def_) defs_.push_back(def);
    if (max_rep_) reps_.push_back(rep);
    if (def < max_def_) chunk_stats_.add_nulls(1);
  }

  void put_bool(bool v) {
    bool_byte_ = uint8_t(bool_byte_ | (uint8_t(v) << bool_bits_));
    if (++bool_bits_ == 8) flush_bool_byte();
    chunk_stats_.add_int(v);
  }
  void put_i32(int32_t v) {
    put_fixed(v);
    chunk_stats_.add_int(v);
  }
  void put_i64(int64_t v) {
    put_fixed(v);
    chunk_stats_.add_int(v);
  }
  void put_float(float v) {
    put_fixed(v);
    chunk_stats_.add_double(v);
  }
  void put_double(double v) {
    put_fixed(v);
    chunk_stats_.add_double(v);
  }
  void put_bytes(std::string_view v) {
    if (dictionary_mode_) return put_dictionary(v);
    const uint32_t len = uint32_t(v.size());
    values_.append(reinterpret_cast<const char*>(&len), 4);
    values_.append(v);
    chunk_stats_.add_bytes(v);
  }

  // Flat columns (max_rep 0) only: n values; valid[i] == 0 marks a null, valid == nullptr none.
  template <typename T>
  void append_flat(const T* values, const uint8_t* valid, size_t n);

  // Encoded bytes of the open chunk so far (closed pages, dictionary, open page estimate).
  int64_t buffered_bytes() const {
    return pages_bytes_ + int64_t(dictionary_.plain().size()) + page_estimate();
  }
  // Closes the chunk: appends its pages to `file` and returns its metadata.
  meta::ColumnChunk flush_chunk(std::string& file);
  const ColumnStatistics& file_stats() const { return file_stats_; }

 private:
  void at_record_start() {
    if (fallback_pending_) {
      fall_back_to_plain();
    } else if (page_full()) {
      close_page();
    }
  }
  // Bounds a page's level count even when its values encode to almost nothing
  // (all nulls, long runs), so readers never need huge level buffers.
  static constexpr int64_t kMaxPageEntries = 1 << 20;
  bool page_full() const {
    return entries_ >= kMaxPageEntries || page_estimate() >= options_.page_bytes;
  }
  int64_t page_estimate() const {
    const int64_t index_bits = int64_t(indices_.size()) * std::bit_width(dictionary_.size());
    return int64_t(values_.size() + (defs_.size() + reps_.size()) / 8) + index_bits / 8;
  }
  template <typename T>
  void put_fixed(T v) {
    values_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put(bool v) { put_bool(v); }
  void put(int32_t v) { put_i32(v); }
  void put(int64_t v) { put_i64(v); }
  void put(float v) { put_float(v); }
  void put(double v) { put_double(v); }
  void put(std::string_view v) { put_bytes(v); }
  void put_dictionary(std::string_view v);
  void flush_bool_byte();
  void fall_back_to_plain();
  void close_page();
  // Compresses payload into compressed_ and encodes its header into header_.
  void encode_page(const meta::PageHeader& header, std::string_view payload);
  void write_dictionary_page(std::string& file);
  meta::ColumnMetaData chunk_metadata() const;
  void reset_chunk();

  const Leaf& leaf_;
  const WriterOptions& options_;
  PageCompressor* compressor_;
  const uint8_t max_def_, max_rep_;
  const bool use_dictionary_;

  // The open page.
  int64_t entries_ = 0;
  std::vector<uint8_t> defs_, reps_;
  std::string values_;             // PLAIN values
  std::vector<uint32_t> indices_;  // dictionary indices (dictionary mode)
  uint8_t bool_byte_ = 0;
  int bool_bits_ = 0;

  // The open chunk.
  bool dictionary_mode_ = false;
  bool fallback_pending_ = false;
  bool dictionary_pages_ = false;  // some data page refers to the dictionary
  Dictionary dictionary_;
  // Encoded data pages (header, body, header, ...): one string each, so the
  // chunk never re-copies itself while growing.
  std::vector<std::string> pages_;
  int64_t pages_bytes_ = 0;
  int64_t chunk_values_ = 0;
  int64_t uncompressed_bytes_ = 0, compressed_bytes_ = 0;
  bool plain_pages_ = false;
  ColumnStatistics chunk_stats_, file_stats_;

  // Scratch, reused across pages.
  std::string page_, compressed_, header_;
};

template <typename T>
void ColumnWriter::append_flat(const T* values, const uint8_t* valid, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    at_record_start();
    ++entries_;
    if (max_def_) {
      const uint8_t present = valid == nullptr || valid[i] != 0;
      defs_.push_back(present);
      if (!present) {
        chunk_stats_.add_nulls(1);
        continue;
      }
    }
    put(values[i]);
  }
}

}  // namespace sluice::lake::parquet

// Thrift compact protocol writer and bounds-checked reader (see thrift_compact.h).
#include "lake/parquet/thrift_compact.h"

#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet::thrift {
namespace {

// Footers nest at most a handful of levels; anything deeper is hostile input.
constexpr int kMaxDepth = 32;

uint64_t zigzag_encode(int64_t v) {
  return (uint64_t(v) << 1) ^ uint64_t(v >> 63);
}

// Bools inside collections are one byte each, not a type nibble.
CType collection_element(CType t) {
  return t == CType::kTrue || t == CType::kFalse ? CType::kByte : t;
}

[[noreturn]] void fail(const std::string& what) {
  throw ParquetError("malformed thrift: " + what);
}

}  // namespace

// ---- writer -----------------------------------------------------------------

void CompactWriter::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(char(uint8_t(v) | 0x80));
    v >>= 7;
  }
  out_.push_back(char(v));
}

void CompactWriter::begin_struct() {
  outer_ids_.push_back(last_id_);
  last_id_ = 0;
}

void CompactWriter::end_struct() {
  out_.push_back(char(CType::kStop));
  last_id_ = outer_ids_.back();
  outer_ids_.pop_back();
}

void CompactWriter::field_header(int16_t id, CType type) {
  const int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_.push_back(char(uint8_t(delta << 4) | uint8_t(type)));
  } else {
    out_.push_back(char(type));
    varint(zigzag_encode(id));
  }
  last_id_ = id;
}

void CompactWriter::field_i16(int16_t id, int16_t v) {
  field_header(id, CType::kI16);
  varint(zigzag_encode(v));
}

void CompactWriter::field_i32(int16_t id, int32_t v) {
  field_header(id, CType::kI32);
  varint(zigzag_encode(v));
}

void CompactWriter::field_i64(int16_t id, int64_t v) {
  field_header(id, CType::kI64);
  varint(zigzag_encode(v));
}

void CompactWriter::field_bool(int16_t id, bool v) {
  field_header(id, v ? CType::kTrue : CType::kFalse);
}

void CompactWriter::field_binary(int16_t id, std::string_view v) {
  field_header(id, CType::kBinary);
  binary(v);
}

void CompactWriter::field_struct(int16_t id) {
  field_header(id, CType::kStruct);
  begin_struct();
}

void CompactWriter::field_list(int16_t id, CType element, size_t size) {
  field_header(id, CType::kList);
  list_header(element, size);
}

void CompactWriter::list_header(CType element, size_t size) {
  if (size < 15) {
    out_.push_back(char(uint8_t(size << 4) | uint8_t(element)));
  } else {
    out_.push_back(char(0xF0 | uint8_t(element)));
    varint(size);
  }
}

void CompactWriter::i32(int32_t v) {
  varint(zigzag_encode(v));
}

void CompactWriter::i64(int64_t v) {
  varint(zigzag_encode(v));
}

void CompactWriter::binary(std::string_view v) {
  varint(v.size());
  out_.append(v);
}

// ---- reader -----------------------------------------------------------------

uint8_t CompactReader::byte() {
  if (pos_ >= in_.size()) fail("truncated");
  return uint8_t(in_[pos_++]);
}

uint64_t CompactReader::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const uint8_t b = byte();
    v |= uint64_t(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  fail("varint longer than 10 bytes");
}

int64_t CompactReader::zigzag() {
  const uint64_t u = varint();
  return int64_t(u >> 1) ^ -int64_t(u & 1);
}

void CompactReader::enter() {
  if (++depth_ > kMaxDepth) fail("nesting deeper than 32");
}

void CompactReader::begin_struct() {
  enter();
  outer_ids_.push_back(last_id_);
  last_id_ = 0;
}

bool CompactReader::next_field(int16_t& id, CType& type) {
  const uint8_t header = byte();
  if (header == 0) {
    if (outer_ids_.empty()) fail("unbalanced struct end");
    last_id_ = outer_ids_.back();
    outer_ids_.pop_back();
    --depth_;
    return false;
  }
  type = CType(header & 0x0F);
  const int delta = header >> 4;
  const int64_t full = delta ? last_id_ + delta : zigzag();
  if (full < INT16_MIN || full > INT16_MAX) fail("field id out of range");
  id = int16_t(full);
  last_id_ = id;
  return true;
}

int16_t CompactReader::i16() {
  const int64_t v = zigzag();
  if (v < INT16_MIN || v > INT16_MAX) fail("i16 out of range");
  return int16_t(v);
}

int32_t CompactReader::i32() {
  const int64_t v = zigzag();
  if (v < INT32_MIN || v > INT32_MAX) fail("i32 out of range");
  return int32_t(v);
}

int64_t CompactReader::i64() {
  return zigzag();
}

bool CompactReader::boolean(CType field_type) {
  if (field_type == CType::kTrue) return true;
  if (field_type == CType::kFalse) return false;
  fail("expected a bool");
}

std::string CompactReader::binary() {
  const uint64_t size = varint();
  if (size > in_.size() - pos_) fail("binary longer than its input");
  std::string s(in_.substr(pos_, size));
  pos_ += size;
  return s;
}

uint32_t CompactReader::list_header(CType& element) {
  const uint8_t header = byte();
  element = CType(header & 0x0F);
  uint64_t size = header >> 4;
  if (size == 15) size = varint();
  // Every element takes at least one byte, so a larger count is a lie.
  if (size > in_.size() - pos_) fail("list longer than its input");
  return uint32_t(size);
}

void CompactReader::skip(CType type) {
  switch (type) {
    case CType::kTrue:
    case CType::kFalse:
      return;
    case CType::kByte:
      byte();
      return;
    case CType::kI16:
    case CType::kI32:
    case CType::kI64:
      varint();
      return;
    case CType::kDouble:
      if (in_.size() - pos_ < 8) fail("truncated double");
      pos_ += 8;
      return;
    case CType::kBinary:
      binary();
      return;
    case CType::kList:
    case CType::kSet: {
      CType element;
      const uint32_t n = list_header(element);
      enter();
      for (uint32_t i = 0; i < n; ++i) {
        skip(collection_element(element));
      }
      --depth_;
      return;
    }
    case CType::kMap: {
      const uint64_t n = varint();
      if (n == 0) return;
      if (n > in_.size() - pos_) fail("map longer than its input");
      const uint8_t kinds = byte();
      enter();
      for (uint64_t i = 0; i < n; ++i) {
        skip(collection_element(CType(kinds >> 4)));
        skip(collection_element(CType(kinds & 0x0F)));
      }
      --depth_;
      return;
    }
    case CType::kStruct: {
      begin_struct();
      int16_t id;
      CType t;
      while (next_field(id, t)) skip(t);
      return;
    }
    case CType::kStop:
      break;
  }
  fail("unknown type " + std::to_string(int(type)));
}

bool CompactReader::matches(CType actual, CType expected) {
  const bool is_bool = actual == CType::kTrue || actual == CType::kFalse;
  return actual == expected || (is_bool && expected == CType::kTrue);
}

}  // namespace sluice::lake::parquet::thrift

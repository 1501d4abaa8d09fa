// Thrift compact protocol: the encoding of every Parquet footer and page header.
//
// Invariant: CompactWriter emits the bytes Apache Thrift's TCompactProtocol
// emits for the same sequence of fields; CompactReader never reads outside its
// input and throws ParquetError on truncated, malformed or over-deep input, so
// a hostile footer cannot crash or exhaust the reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::lake::parquet::thrift {

// Wire types of the compact protocol (the low nibble of a field header).
enum class CType : uint8_t {
  kStop = 0,
  kTrue = 1,
  kFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class CompactWriter {
 public:
  explicit CompactWriter(std::string& out) : out_(out) {}

  // A struct remembers its last field id: field ids are written as deltas.
  void begin_struct();
  void end_struct();  // writes the stop byte

  void field_i16(int16_t id, int16_t v);
  void field_i32(int16_t id, int32_t v);
  void field_i64(int16_t id, int64_t v);
  void field_bool(int16_t id, bool v);
  void field_binary(int16_t id, std::string_view v);
  void field_struct(int16_t id);  // header, then begin_struct()
  void field_list(int16_t id, CType element, size_t size);

  // List elements (structs inside lists use begin_struct/end_struct).
  void list_header(CType element, size_t size);
  void i32(int32_t v);
  void i64(int64_t v);
  void binary(std::string_view v);

  void varint(uint64_t v);

 private:
  void field_header(int16_t id, CType type);

  std::string& out_;
  std::vector<int16_t> outer_ids_;
  int16_t last_id_ = 0;
};

class CompactReader {
 public:
  explicit CompactReader(std::string_view in) : in_(in) {}

  size_t position() const { return pos_; }

  void begin_struct();
  // The next field of the current struct; false at its stop byte (the struct is then closed).
  bool next_field(int16_t& id, CType& type);

  int16_t i16();
  int32_t i32();
  int64_t i64();
  bool boolean(CType field_type);  // a field's bool lives in its type nibble
  std::string binary();
  // Returns the element count; the element type goes to `element`.
  uint32_t list_header(CType& element);
  void skip(CType type);

  // Whether a value of wire type `actual` is one of type `expected` (a bool
  // field's type is kTrue or kFalse; pass kTrue for either).
  static bool matches(CType actual, CType expected);

 private:
  uint8_t byte();
  uint64_t varint();
  int64_t zigzag();
  void enter();

  std::string_view in_;
  size_t pos_ = 0;
  std::vector<int16_t> outer_ids_;
  int16_t last_id_ = 0;
  int depth_ = 0;
};

}  // namespace sluice::lake::parquet::thrift

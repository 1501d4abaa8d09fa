// The one Thrift compact codec: Thrift structs described once, as data, and
// encoded and decoded by walking that description (the broker's visit() idea,
// src/broker/protocol/codec.h, applied to parquet.thrift).
//
// A described struct names itself and lists its fields in field-id order:
//
//   struct KeyValue {
//     static constexpr const char* kThriftName = "KeyValue";
//     std::string key;
//     std::optional<std::string> value;
//     template <class V>
//     void visit(V& v) {
//       v.required(1, "key", key);
//       v.optional(2, "value", value);
//     }
//   };
//
// Field types: bool, int16_t, int32_t (also Thrift enums: they are open, a file
// may carry a value this code does not name), int64_t, std::string (string and
// binary), a described struct or union, std::vector<T> of int32_t, int64_t,
// std::string or described structs/unions. An optional field is a
// std::optional<T>, a std::vector<T> (absent when empty) or a union (absent
// when no member is set).
//
// A union sets kThriftUnion, keeps the field id of its member in `which` (0:
// none) and lists members with v.member(id, name) for an empty-struct member or
// v.member(id, name, payload) for a member carrying a described struct.
//
// Invariants:
// - write() emits the fields in description order, required ones always and
//   optional ones when present: the bytes Apache Thrift writes for the values.
//   A union whose `which` names no described member cannot be written (throws).
// - read() starts from the struct's defaults, fills the fields it finds, skips
//   field ids the description does not name (other writers add fields sluice
//   does not model) and throws ParquetError naming "Struct.field" when a
//   required field is missing or a field has the wrong wire type. A union
//   records the id of the member present even when that member is not
//   described, so a reader can reject annotations it does not understand.
// - Bounds come from CompactReader: nesting is capped at 32 levels, list counts
//   at the bytes left. Lists grow per decoded element, never by the count the
//   input claims, so a lying count cannot make a large allocation.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "lake/parquet/thrift_compact.h"

namespace sluice::lake::parquet::thrift {

template <class T>
concept Described = requires {
  { T::kThriftName } -> std::convertible_to<const char*>;
};

template <class T>
concept DescribedUnion = Described<T> && requires(T& t) {
  requires T::kThriftUnion;
  { t.which } -> std::convertible_to<int16_t>;
};

namespace detail {

[[noreturn]] void wrong_type(const char* owner, const char* field);
[[noreturn]] void wrong_element_type(const char* owner, const char* field);
[[noreturn]] void missing_required(const char* owner, const char* field);
[[noreturn]] void union_not_writable(const char* owner, int16_t which);
[[noreturn]] void too_many_fields(const char* owner);

template <class T>
struct ListOf {
  static constexpr bool kIsList = false;
};
template <class T>
struct ListOf<std::vector<T>> {
  static constexpr bool kIsList = true;
  using Element = T;
};

template <class>
constexpr bool kUnsupported = false;

// The wire type a field of C++ type T carries.
template <class T>
constexpr CType wire_type() {
  if constexpr (std::is_same_v<T, bool>) {
    return CType::kTrue;  // a field's bool is its type nibble; either bool type matches
  } else if constexpr (std::is_same_v<T, int16_t>) {
    return CType::kI16;
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return CType::kI32;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return CType::kI64;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return CType::kBinary;
  } else if constexpr (Described<T>) {
    return CType::kStruct;
  } else if constexpr (ListOf<T>::kIsList) {
    return CType::kList;
  } else {
    static_assert(kUnsupported<T>, "no Thrift wire type for this C++ type");
  }
}

// ---- writing ----------------------------------------------------------------

template <Described T>
void write_fields(CompactWriter& w, const T& s);

template <class T>
void write_element(CompactWriter& w, const T& e) {
  if constexpr (std::is_same_v<T, int32_t>) {
    w.i32(e);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    w.i64(e);
  } else if constexpr (std::is_same_v<T, std::string>) {
    w.binary(e);
  } else if constexpr (Described<T>) {
    w.begin_struct();
    write_fields(w, e);
    w.end_struct();
  } else {
    static_assert(kUnsupported<T>, "lists hold i32, i64, strings or described structs");
  }
}

template <class T>
void write_field(CompactWriter& w, int16_t id, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    w.field_bool(id, v);
  } else if constexpr (std::is_same_v<T, int16_t>) {
    w.field_i16(id, v);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    w.field_i32(id, v);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    w.field_i64(id, v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    w.field_binary(id, v);
  } else if constexpr (Described<T>) {
    w.field_struct(id);
    write_fields(w, v);
    w.end_struct();
  } else {
    using Element = typename ListOf<T>::Element;
    w.field_list(id, wire_type<Element>(), v.size());
    for (const Element& e : v) write_element(w, e);
  }
}

class StructWriter {
 public:
  explicit StructWriter(CompactWriter& w) : w_(w) {}

  template <class T>
  void required(int16_t id, const char*, const T& v) {
    write_field(w_, id, v);
  }
  template <class T>
  void optional(int16_t id, const char*, const std::optional<T>& v) {
    if (v) write_field(w_, id, *v);
  }
  template <class T>
  void optional(int16_t id, const char*, const std::vector<T>& v) {
    if (!v.empty()) write_field(w_, id, v);
  }
  template <DescribedUnion T>
  void optional(int16_t id, const char*, const T& v) {
    if (v.which != 0) write_field(w_, id, v);
  }

 private:
  CompactWriter& w_;
};

// Writes the one member `which` names.
class UnionWriter {
 public:
  UnionWriter(CompactWriter& w, int16_t which) : w_(w), which_(which) {}

  bool wrote() const { return wrote_; }

  void member(int16_t id, const char*) {
    if (id != which_) return;
    w_.field_struct(id);
    w_.end_struct();
    wrote_ = true;
  }
  template <Described T>
  void member(int16_t id, const char*, const T& payload) {
    if (id != which_) return;
    write_field(w_, id, payload);
    wrote_ = true;
  }

 private:
  CompactWriter& w_;
  int16_t which_;
  bool wrote_ = false;
};

template <Described T>
void write_fields(CompactWriter& w, const T& s) {
  // visit() is not const because reading fills fields through it; writing only reads them.
  T& fields = const_cast<T&>(s);
  if constexpr (DescribedUnion<T>) {
    UnionWriter v(w, s.which);
    fields.visit(v);
    if (!v.wrote()) union_not_writable(T::kThriftName, s.which);
  } else {
    StructWriter v(w);
    fields.visit(v);
  }
}

// ---- reading ----------------------------------------------------------------

template <Described T>
void read_struct(CompactReader& r, T& s);

template <class T>
void read_element(CompactReader& r, T& e) {
  if constexpr (std::is_same_v<T, int32_t>) {
    e = r.i32();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    e = r.i64();
  } else if constexpr (std::is_same_v<T, std::string>) {
    e = r.binary();
  } else if constexpr (Described<T>) {
    read_struct(r, e);
  } else {
    static_assert(kUnsupported<T>, "lists hold i32, i64, strings or described structs");
  }
}

// Reads the value of field `owner.name`, whose header said `type`, into `v`.
template <class T>
void read_field(CompactReader& r, CType type, const char* owner, const char* name, T& v) {
  if (!CompactReader::matches(type, wire_type<T>())) wrong_type(owner, name);
  if constexpr (std::is_same_v<T, bool>) {
    v = r.boolean(type);
  } else if constexpr (std::is_same_v<T, int16_t>) {
    v = r.i16();
  } else if constexpr (std::is_same_v<T, int32_t>) {
    v = r.i32();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    v = r.i64();
  } else if constexpr (std::is_same_v<T, std::string>) {
    v = r.binary();
  } else if constexpr (Described<T>) {
    v = T{};  // a repeated field id replaces the earlier value, as in Apache Thrift
    read_struct(r, v);
  } else {
    using Element = typename ListOf<T>::Element;
    CType element;
    const uint32_t n = r.list_header(element);
    if (n > 0 && !CompactReader::matches(element, wire_type<Element>())) {
      wrong_element_type(owner, name);
    }
    v.clear();
    for (uint32_t i = 0; i < n; ++i) read_element(r, v.emplace_back());
  }
}

// Which fields of a struct were read is a bit per field, in description order.
inline uint64_t field_bit(const char* owner, int index) {
  if (index >= 64) too_many_fields(owner);
  return uint64_t(1) << index;
}

// Visits a struct's description once per field on the wire: the described
// field with that id reads its value and is marked seen.
class FieldReader {
 public:
  FieldReader(CompactReader& r, const char* owner, int16_t id, CType type, uint64_t& seen)
      : r_(r), owner_(owner), id_(id), type_(type), seen_(seen) {}

  bool found() const { return found_; }

  template <class T>
  void required(int16_t id, const char* name, T& v) {
    if (take(id)) read_field(r_, type_, owner_, name, v);
  }
  template <class T>
  void optional(int16_t id, const char* name, std::optional<T>& v) {
    if (take(id)) read_field(r_, type_, owner_, name, v.emplace());
  }
  template <class T>
  requires(ListOf<T>::kIsList || DescribedUnion<T>) void optional(int16_t id, const char* name,
                                                                  T& v) {
    if (take(id)) read_field(r_, type_, owner_, name, v);
  }

 private:
  bool take(int16_t id) {
    const uint64_t bit = field_bit(owner_, index_++);
    if (id != id_) return false;
    seen_ |= bit;
    found_ = true;
    return true;
  }

  CompactReader& r_;
  const char* owner_;
  int16_t id_;
  CType type_;
  uint64_t& seen_;
  int index_ = 0;
  bool found_ = false;
};

// After a struct's stop byte: every required field must have been seen.
class RequiredCheck {
 public:
  RequiredCheck(const char* owner, uint64_t seen) : owner_(owner), seen_(seen) {}

  template <class T>
  void required(int16_t, const char* name, T&) {
    if (!(seen_ & field_bit(owner_, index_++))) missing_required(owner_, name);
  }
  template <class T>
  void optional(int16_t, const char*, T&) {
    ++index_;
  }

 private:
  const char* owner_;
  uint64_t seen_;
  int index_ = 0;
};

// Visits a union's description for the member on the wire with id `id`.
class MemberReader {
 public:
  MemberReader(CompactReader& r, const char* owner, int16_t id, CType type)
      : r_(r), owner_(owner), id_(id), type_(type) {}

  bool found() const { return found_; }

  void member(int16_t id, const char* name) {
    if (id != id_) return;
    if (type_ != CType::kStruct) wrong_type(owner_, name);
    r_.skip(CType::kStruct);  // an empty struct today; fields added later are skipped
    found_ = true;
  }
  template <Described T>
  void member(int16_t id, const char* name, T& payload) {
    if (id != id_) return;
    read_field(r_, type_, owner_, name, payload);
    found_ = true;
  }

 private:
  CompactReader& r_;
  const char* owner_;
  int16_t id_;
  CType type_;
  bool found_ = false;
};

template <Described T>
void read_struct(CompactReader& r, T& s) {
  r.begin_struct();
  int16_t id;
  CType type;
  if constexpr (DescribedUnion<T>) {
    while (r.next_field(id, type)) {
      s.which = id;
      MemberReader v(r, T::kThriftName, id, type);
      s.visit(v);
      if (!v.found()) r.skip(type);
    }
  } else {
    uint64_t seen = 0;
    while (r.next_field(id, type)) {
      FieldReader v(r, T::kThriftName, id, type, seen);
      s.visit(v);
      if (!v.found()) r.skip(type);
    }
    RequiredCheck check(T::kThriftName, seen);
    s.visit(check);
  }
}

}  // namespace detail

// Writes `s` as a Thrift struct (its fields, then the stop byte).
template <Described T>
void write(CompactWriter& w, const T& s) {
  w.begin_struct();
  detail::write_fields(w, s);
  w.end_struct();
}

// Reads the struct that starts at the reader into `s`, which should hold T's defaults.
template <Described T>
void read(CompactReader& r, T& s) {
  detail::read_struct(r, s);
}

}  // namespace sluice::lake::parquet::thrift

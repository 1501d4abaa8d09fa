// The one generic Kafka codec. Each message is described once, as a struct whose
// `visit(V&)` lists its fields in wire order with the versions each exists in;
// Decoder and Encoder are the two visitors that walk that description. A field
// outside the request's version is skipped on both sides, so a message's
// description is the only place that knows its layout.
//
// Invariant: decoding never reads past the frame (ByteReader throws DecodeError),
// and every length taken from the wire is checked against the bytes left before
// anything is allocated for it.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "common/bytes.h"
#include "common/uuid.h"

namespace sluice::broker::protocol {

struct Versions {
  int16_t min = 0;
  int16_t max = INT16_MAX;
  constexpr bool has(int16_t v) const { return v >= min && v <= max; }
};
constexpr Versions since(int16_t v) {
  return {v, INT16_MAX};
}
constexpr Versions until(int16_t v) {
  return {0, v};
}
inline constexpr Versions kNever{1, 0};  // a field no served version has

using NullableString = std::optional<std::string>;

// The records field of Produce and Fetch. Decoded records are a view into the
// request frame, which the connection owns and keeps alive (and mutable, so the
// produce path can stamp offsets without a copy); encoded records are owned.
struct Records {
  bool null = true;
  std::span<uint8_t> view;
  Bytes owned;

  static Records of(Bytes b) {
    Records r;
    r.null = false;
    r.owned = std::move(b);
    return r;
  }
  std::span<const uint8_t> bytes() const {
    return owned.empty() ? std::span<const uint8_t>(view) : std::span<const uint8_t>(owned);
  }
};

// A non-nullable byte string (group member metadata and assignments): opaque to
// the broker, passed between clients unchanged.
struct Blob {
  Bytes data;
};

// The "topic name and its partitions" level that most requests and answers share.
template <typename Partition>
struct TopicPartitions {
  std::string name;
  std::vector<Partition> partitions;
  template <class V>
  void visit(V& v) {
    v(name);
    v(partitions);
  }
};

// The same level for the versions that name the topic by id instead (KIP-516):
// the name up to kFirstIdVersion - 1, the topic id from kFirstIdVersion on.
// The id is declared last so that {name, partitions} initializers stay valid.
template <typename Partition, int16_t kFirstIdVersion>
struct TopicIdPartitions {
  std::string name;
  std::vector<Partition> partitions;
  Uuid topic_id;
  template <class V>
  void visit(V& v) {
    v(name, until(kFirstIdVersion - 1));
    v(topic_id, since(kFirstIdVersion));
    v(partitions);
  }
};

class Decoder {
 public:
  // `frame` must stay alive and unmoved while decoded Records views are used.
  Decoder(std::span<uint8_t> frame, size_t offset, int16_t version, bool flexible)
      : frame_(frame),
        r_(ByteSpan(frame).subspan(offset)),
        base_(offset),
        version_(version),
        flexible_(flexible) {}

  int16_t version() const { return version_; }
  size_t consumed() const { return base_ + r_.position(); }

  template <typename T>
  void operator()(T& field, Versions v = {}) {
    if (v.has(version_)) read(field);
  }

  template <typename T>
  void read_message(T& msg) {
    msg.visit(*this);
    if (flexible_) skip_tagged_fields();
  }

 private:
  void read(int8_t& v) { v = r_.i8(); }
  void read(int16_t& v) { v = r_.i16(); }
  void read(int32_t& v) { v = r_.i32(); }
  void read(int64_t& v) { v = r_.i64(); }
  void read(bool& v) { v = r_.i8() != 0; }
  void read(double& v) { v = std::bit_cast<double>(r_.i64()); }  // float64: IEEE 754, big-endian
  void read(Uuid& id) {  // uuid: 16 bytes, in every encoding
    auto s = r_.span(id.bytes.size(), "uuid");
    std::copy(s.begin(), s.end(), id.bytes.begin());
  }
  void read(std::string& s) {
    auto n = length("string");
    if (n < 0) throw DecodeError("non-nullable string is null");
    s.assign(r_.view(size_t(n)));
  }
  void read(NullableString& s) {
    auto n = length("string");
    if (n < 0) {
      s.reset();
    } else {
      s.emplace(r_.view(size_t(n)));
    }
  }
  void read(Blob& b) {
    int64_t n = flexible_ ? int64_t(r_.uvarint()) - 1 : r_.i32();
    if (n < 0) throw DecodeError("non-nullable bytes are null");
    auto s = r_.span(size_t(n));
    b.data.assign(s.begin(), s.end());
  }
  void read(Records& rec) {
    int64_t n = flexible_ ? int64_t(r_.uvarint()) - 1 : r_.i32();
    if (n < 0) {
      rec.null = true;
      return;
    }
    size_t at = base_ + r_.position();
    r_.skip(size_t(n));  // bounds-checked before the view is formed
    rec.null = false;
    rec.view = frame_.subspan(at, size_t(n));
  }
  template <typename T>
  void read(std::vector<T>& vec) {
    int64_t n = array_length();
    if (n < 0) throw DecodeError("non-nullable array is null");
    fill(vec, n);
  }
  template <typename T>
  void read(std::optional<std::vector<T>>& vec) {
    int64_t n = array_length();
    if (n < 0) {
      vec.reset();
      return;
    }
    fill(vec.emplace(), n);
  }
  template <typename T>
  requires requires(T& t, Decoder& d) { t.visit(d); }
  void read(T& msg) { read_message(msg); }
  // A nullable struct (KIP-848's assignments): int8 -1 for null, 1 then the struct.
  template <typename T>
  requires requires(T& t, Decoder& d) { t.visit(d); }
  void read(std::optional<T>& msg) {
    if (r_.i8() < 0) {
      msg.reset();
      return;
    }
    read_message(msg.emplace());
  }

  template <typename T>
  void fill(std::vector<T>& vec, int64_t n) {
    // Every element takes at least one byte, so a count larger than what is
    // left is a lie; refusing it keeps a 4-byte frame from allocating gigabytes.
    if (size_t(n) > r_.remaining()) throw DecodeError("array length exceeds the frame");
    vec.resize(size_t(n));
    for (auto& e : vec) read(e);
  }
  int64_t length(const char* what) {
    (void)what;
    return flexible_ ? compact_length() : r_.i16();
  }
  int64_t array_length() { return flexible_ ? compact_length() : r_.i32(); }
  // A compact length is N + 1 (0: null). A varint beyond INT64_MAX is no length
  // any frame can hold, and N + 1 - 1 must not overflow (found by kafka_request_fuzz).
  int64_t compact_length() {
    uint64_t n = r_.uvarint();
    if (n > uint64_t(INT64_MAX)) throw DecodeError("compact length out of range");
    return int64_t(n) - 1;
  }
  void skip_tagged_fields() {
    uint64_t n = r_.uvarint();
    for (uint64_t i = 0; i < n; ++i) {
      r_.uvarint();  // tag
      r_.skip(r_.uvarint());
    }
  }

  std::span<uint8_t> frame_;
  ByteReader r_;
  size_t base_;
  int16_t version_;
  bool flexible_;
};

class Encoder {
 public:
  Encoder(ByteWriter& w, int16_t version, bool flexible)
      : w_(w), version_(version), flexible_(flexible) {}

  int16_t version() const { return version_; }

  template <typename T>
  void operator()(T& field, Versions v = {}) {
    if (v.has(version_)) write(field);
  }

  template <typename T>
  void write_message(T& msg) {
    msg.visit(*this);
    if (flexible_) w_.uvarint(0);  // no tagged fields
  }

 private:
  void write(int8_t v) { w_.i8(v); }
  void write(int16_t v) { w_.i16(v); }
  void write(int32_t v) { w_.i32(v); }
  void write(int64_t v) { w_.i64(v); }
  void write(bool v) { w_.i8(v ? 1 : 0); }
  void write(double v) { w_.i64(std::bit_cast<int64_t>(v)); }
  void write(const Uuid& id) { w_.raw(id.bytes.data(), id.bytes.size()); }
  void write(const std::string& s) {
    length(int64_t(s.size()));
    w_.raw(s);
  }
  void write(const NullableString& s) {
    if (!s) {
      length(-1);
      return;
    }
    write(*s);
  }
  void write(const Blob& b) {
    if (flexible_) {
      w_.uvarint(b.data.size() + 1);
    } else {
      w_.i32(int32_t(b.data.size()));
    }
    w_.raw(b.data.data(), b.data.size());
  }
  void write(const Records& rec) {
    auto b = rec.bytes();
    int64_t n = rec.null ? -1 : int64_t(b.size());
    if (flexible_) {
      w_.uvarint(uint64_t(n + 1));
    } else {
      w_.i32(int32_t(n));
    }
    if (!rec.null) w_.raw(b);
  }
  template <typename T>
  void write(std::vector<T>& vec) {
    array_length(int64_t(vec.size()));
    for (auto& e : vec) write(e);
  }
  template <typename T>
  void write(std::optional<std::vector<T>>& vec) {
    if (!vec) {
      array_length(-1);
      return;
    }
    write(*vec);
  }
  template <typename T>
  requires requires(T& t, Encoder& e) { t.visit(e); }
  void write(T& msg) { write_message(msg); }
  template <typename T>
  requires requires(T& t, Encoder& e) { t.visit(e); }
  void write(std::optional<T>& msg) {
    w_.i8(msg ? 1 : -1);
    if (msg) write_message(*msg);
  }

  void length(int64_t n) {
    if (flexible_) {
      w_.uvarint(uint64_t(n + 1));
    } else {
      w_.i16(int16_t(n));
    }
  }
  void array_length(int64_t n) {
    if (flexible_) {
      w_.uvarint(uint64_t(n + 1));
    } else {
      w_.i32(int32_t(n));
    }
  }

  ByteWriter& w_;
  int16_t version_;
  bool flexible_;
};

}  // namespace sluice::broker::protocol

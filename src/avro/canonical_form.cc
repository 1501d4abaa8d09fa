// Schema::canonical_form and the fingerprint, per the specification's "Parsing
// Canonical Form for Schemas": primitives as bare names, fullnames without
// namespaces, only the attributes that matter for reading (name, type, fields,
// symbols, items, values, size) in that order, no whitespace; a named type in
// full at its first occurrence and by fullname after it.
#include <array>
#include <set>

#include "avro/schema.h"
#include "common/json.h"

namespace sluice::avro {
namespace {

class CanonicalWriter {
 public:
  explicit CanonicalWriter(const Schema& schema) : schema_(schema) {}

  void write(const Node& n) {
    switch (n.kind) {
      case Kind::kRecord:
      case Kind::kEnum:
      case Kind::kFixed:
        if (!written_.insert(n.name).second) return quoted(n.name);
        return write_named(n);
      case Kind::kReference: {
        // A reference before its definition was written (only the root's own
        // name can be): write the definition then.
        const Node& def = schema_.resolve(n);
        if (&def != &n && !written_.contains(n.name)) return write(def);
        return quoted(n.name);
      }
      case Kind::kArray:
        out_ += "{\"type\":\"array\",\"items\":";
        write(*n.items);
        out_ += "}";
        return;
      case Kind::kMap:
        out_ += "{\"type\":\"map\",\"values\":";
        write(*n.values);
        out_ += "}";
        return;
      case Kind::kUnion:
        out_ += "[";
        for (size_t i = 0; i < n.branches.size(); ++i) {
          if (i > 0) out_ += ",";
          write(*n.branches[i]);
        }
        out_ += "]";
        return;
      default:
        return quoted(kind_name(n.kind));
    }
  }

  std::string take() { return std::move(out_); }

 private:
  void quoted(std::string_view s) { json::append_quoted(out_, s); }

  void write_named(const Node& n) {
    out_ += "{\"name\":";
    quoted(n.name);
    out_ += ",\"type\":";
    quoted(kind_name(n.kind));
    if (n.kind == Kind::kRecord) {
      out_ += ",\"fields\":[";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        if (i > 0) out_ += ",";
        out_ += "{\"name\":";
        quoted(n.fields[i].name);
        out_ += ",\"type\":";
        write(*n.fields[i].type);
        out_ += "}";
      }
      out_ += "]";
    } else if (n.kind == Kind::kEnum) {
      out_ += ",\"symbols\":[";
      for (size_t i = 0; i < n.symbols.size(); ++i) {
        if (i > 0) out_ += ",";
        quoted(n.symbols[i]);
      }
      out_ += "]";
    } else {
      out_ += ",\"size\":" + std::to_string(n.size);
    }
    out_ += "}";
  }

  const Schema& schema_;
  std::string out_;
  std::set<std::string> written_;
};

constexpr uint64_t kEmpty = 0xc15d213aa4d7a795ULL;

std::array<uint64_t, 256> make_table() {
  std::array<uint64_t, 256> table{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t fp = i;
    for (int j = 0; j < 8; ++j) fp = (fp >> 1) ^ (kEmpty & (0 - (fp & 1)));
    table[i] = fp;
  }
  return table;
}

}  // namespace

std::string Schema::canonical_form() const {
  CanonicalWriter w(*this);
  w.write(*root_);
  return w.take();
}

uint64_t crc64_avro(std::string_view bytes) {
  static const std::array<uint64_t, 256> table = make_table();
  uint64_t fp = kEmpty;
  for (unsigned char b : bytes) fp = (fp >> 8) ^ table[(fp ^ b) & 0xff];
  return fp;
}

uint64_t Schema::fingerprint() const {
  return crc64_avro(canonical_form());
}

}  // namespace sluice::avro

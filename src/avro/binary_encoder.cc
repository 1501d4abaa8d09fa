#include "avro/binary_encoder.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "avro/value_text.h"
#include "common/iso8601.h"
#include "common/json.h"

namespace sluice::avro {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr int kMaxDepth = 100;

class Encoder {
 public:
  // `spec_default`: read the specification's JSON for defaults rather than sluice's.
  Encoder(const Schema& s, bool spec_default) : s_(s), spec_(spec_default) {}

  void write(const Node& ref, element v, std::string& out, const std::string& path, int depth) {
    if (depth > kMaxDepth)
      fail(path, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
    const Node& n = s_.resolve(ref);
    switch (n.kind) {
      case Kind::kNull:
        if (!v.is_null()) mismatch(path, "null", v);
        return;
      case Kind::kBoolean: {
        bool b;
        if (v.get_bool().get(b)) mismatch(path, "a boolean", v);
        out += char(b ? 1 : 0);
        return;
      }
      case Kind::kInt: {
        int64_t i = integer(n, v, path);
        if (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max())
          fail(path, std::to_string(i) + " does not fit an Avro int (32 bits)");
        return put_long(out, i);
      }
      case Kind::kLong:
        return put_long(out, integer(n, v, path));
      case Kind::kFloat: {
        const float f = float(real(v, path));
        char b[4];
        std::memcpy(b, &f, 4);
        out.append(b, 4);
        return;
      }
      case Kind::kDouble: {
        const double d = real(v, path);
        char b[8];
        std::memcpy(b, &d, 8);
        out.append(b, 8);
        return;
      }
      case Kind::kString: {
        std::string_view s;
        if (v.get_string().get(s)) mismatch(path, "a string", v);
        put_long(out, int64_t(s.size()));
        out += s;
        return;
      }
      case Kind::kBytes: {
        const std::string b = bytes(n, v, path);
        put_long(out, int64_t(b.size()));
        out += b;
        return;
      }
      case Kind::kFixed:
        return write_fixed(n, v, out, path);
      case Kind::kEnum: {
        std::string_view s;
        if (v.get_string().get(s)) mismatch(path, "a symbol of enum " + n.name, v);
        for (size_t i = 0; i < n.symbols.size(); ++i)
          if (n.symbols[i] == s) return put_long(out, int64_t(i));
        fail(path, json::quote(s) + " is not a symbol of enum " + n.name);
      }
      case Kind::kArray: {
        simdjson::dom::array a;
        if (v.get_array().get(a)) mismatch(path, "an array", v);
        if (a.size() > 0) put_long(out, int64_t(a.size()));
        size_t i = 0;
        for (element item : a)
          write(*n.items, item, out, path + "[" + std::to_string(i++) + "]", depth + 1);
        out += char(0);
        return;
      }
      case Kind::kMap: {
        simdjson::dom::object o;
        if (v.get_object().get(o)) mismatch(path, "an object (an Avro map)", v);
        if (o.size() > 0) put_long(out, int64_t(o.size()));
        for (auto [k, item] : o) {
          put_long(out, int64_t(k.size()));
          out += k;
          write(*n.values, item, out, path + "[" + json::quote(k) + "]", depth + 1);
        }
        out += char(0);
        return;
      }
      case Kind::kRecord:
        return write_record(n, v, out, path, depth);
      case Kind::kUnion:
        return write_union(n, v, out, path, depth);
      default:
        fail(path, std::string("unexpected schema node ") + kind_name(n.kind));
    }
  }

 private:
  [[noreturn]] static void fail(const std::string& path, const std::string& why) {
    throw EncodeError("JSON to Avro at " + path + ": " + why);
  }
  [[noreturn]] static void mismatch(const std::string& path, const std::string& want, element v) {
    std::string got = simdjson::minify(v);
    if (got.size() > 60) got = got.substr(0, 60) + "...";
    fail(path, "the schema wants " + want + " but the JSON has " + got);
  }

  static void put_long(std::string& out, int64_t v) {
    uint64_t z = (uint64_t(v) << 1) ^ uint64_t(v >> 63);
    while (z >= 0x80) {
      out += char((z & 0x7F) | 0x80);
      z >>= 7;
    }
    out += char(z);
  }

  // An int or long: a JSON integer, or for a logical type its text form.
  int64_t integer(const Node& n, element v, const std::string& path) const {
    int64_t i;
    if (!v.get_int64().get(i)) return i;
    std::string_view s;
    if (!spec_ && !v.get_string().get(s)) {
      std::optional<int64_t> parsed;
      if (n.logical_type == "date") parsed = parse_date(s);
      if (n.logical_type == "timestamp-millis") parsed = parse_iso8601_ms(s);
      if (n.logical_type == "timestamp-micros") parsed = parse_timestamp_micros(s);
      if (parsed) return *parsed;
      if (!n.logical_type.empty()) mismatch(path, "a " + n.logical_type + " (number or text)", v);
    }
    mismatch(path, std::string("an integer (Avro ") + kind_name(n.kind) + ")", v);
  }

  static double real(element v, const std::string& path) {
    double d;
    if (!v.get_double().get(d)) return d;
    int64_t i;
    if (!v.get_int64().get(i)) return double(i);
    uint64_t u;
    if (!v.get_uint64().get(u)) return double(u);
    std::string_view s;
    if (!v.get_string().get(s)) {
      if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (s == "Infinity") return std::numeric_limits<double>::infinity();
      if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    }
    mismatch(path, "a number", v);
  }

  // Bytes or fixed content: latin-1 code points, or a decimal's text.
  std::string bytes(const Node& n, element v, const std::string& path) const {
    std::string_view s;
    if (v.get_string().get(s)) mismatch(path, "a string (Avro bytes)", v);
    if (n.logical_type == "decimal" && !spec_) {
      auto d = parse_decimal(s, n.scale);
      if (!d)
        fail(path, json::quote(s) + " is not a decimal with at most " + std::to_string(n.scale) +
                       " digits after the point");
      return *d;
    }
    auto b = utf8_to_latin1(s);
    if (!b)
      fail(path, "bytes are written as a string of code points U+0000-U+00FF; " + json::quote(s) +
                     " has others");
    return *b;
  }

  void write_fixed(const Node& n, element v, std::string& out, const std::string& path) const {
    std::string b = bytes(n, v, path);
    if (n.logical_type == "decimal" && !spec_ && int64_t(b.size()) < n.size) {
      const char sign = !b.empty() && (b[0] & 0x80) ? char(0xFF) : char(0);
      b.insert(0, size_t(n.size) - b.size(), sign);  // sign-extend to the fixed size
    }
    if (int64_t(b.size()) != n.size)
      fail(path, "fixed " + n.name + " holds " + std::to_string(n.size) + " bytes, the value has " +
                     std::to_string(b.size()));
    out += b;
  }

  void write_record(const Node& n, element v, std::string& out, const std::string& path,
                    int depth) {
    simdjson::dom::object o;
    if (v.get_object().get(o)) mismatch(path, "an object (record " + n.name + ")", v);
    for (auto [k, unused] : o) {
      bool known = false;
      for (const Field& f : n.fields) known = known || f.name == k;
      if (!known)
        fail(path, "record " + n.name + " has no field " + json::quote(k) +
                       " (remove it from the JSON or add it to the schema)");
    }
    for (const Field& f : n.fields) {
      const std::string here = path + "." + f.name;
      element fv;
      if (!o.at_key(f.name).get(fv)) {
        write(*f.type, fv, out, here, depth + 1);
      } else if (f.default_json) {
        out += encode_default(s_, *f.type, *f.default_json);
      } else {
        fail(here, "the JSON has no such field and the schema gives it no default");
      }
    }
  }

  void write_union(const Node& n, element v, std::string& out, const std::string& path, int depth) {
    if (spec_) {  // a union's default is for its first branch
      put_long(out, 0);
      return write(*n.branches.at(0), v, out, path, depth + 1);
    }
    std::string names;
    for (size_t i = 0; i < n.branches.size(); ++i) {
      std::string trial;
      put_long(trial, int64_t(i));
      try {
        write(*n.branches[i], v, trial, path, depth + 1);
        out += trial;
        return;
      } catch (const EncodeError&) {
      }
      const Node& b = s_.resolve(*n.branches[i]);
      names += (i ? ", " : "") + (b.name.empty() ? std::string(kind_name(b.kind)) : b.name);
    }
    mismatch(path, "a value of one of the union's branches (" + names + ")", v);
  }

  const Schema& s_;
  bool spec_;
};

std::string encode(const Schema& schema, const Node& node, std::string_view json, bool spec) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root))
    throw EncodeError(std::string("JSON to Avro: the input is not JSON (") +
                      simdjson::error_message(err) + ")");
  std::string out;
  Encoder(schema, spec).write(node, root, out, "$", 0);
  return out;
}

}  // namespace

std::string encode_json(const Schema& schema, std::string_view json) {
  return encode(schema, schema.root(), json, false);
}

std::string encode_default(const Schema& schema, const Node& node, std::string_view default_json) {
  return encode(schema, node, default_json, true);
}

}  // namespace sluice::avro

#include "avro/binary_decoder.h"

#include <cstring>

#include "avro/binary_encoder.h"
#include "avro/compatibility.h"
#include "avro/value_text.h"
#include "common/iso8601.h"
#include "common/json.h"

namespace sluice::avro {

namespace {

// Where in the datum a value is: ".price", "[3]" or "[\"key\"]" per level.
struct PathPart {
  std::string_view name;  // a field name or map key; empty for an array index
  int64_t index = -1;
  bool key = false;
};

// Dates and timestamps print as text for years 1 to 9999 (what ISO-8601's
// four-digit years hold), and as their number outside them.
constexpr int64_t kFirstDay = -719162;  // 0001-01-01
constexpr int64_t kLastDay = 2932896;   // 9999-12-31
constexpr int64_t kMsPerDay = 86'400'000;

struct Cursor {
  const uint8_t* begin;
  const uint8_t* p;
  const uint8_t* end;
  int64_t left() const { return end - p; }
};

}  // namespace

using Plan = BinaryDecoder::Plan;

// One decode: the cursor, the path for error messages, the nesting depth.
// Skipping a writer-only field is a DecodeRun whose reader schema is the writer's.
// It reads the decoder's plan and keeps what the plan lacks in `extra` — the
// plan itself while the constructor builds it, a decode's own Plan after.
class DecodeRun {
 public:
  DecodeRun(const Plan& plan, Plan& extra, const Schema& w, const Schema& r, Cursor& c,
            std::vector<PathPart>& path, int64_t& zero_budget)
      : plan_(plan), extra_(extra), w_(w), r_(r), c_(c), path_(path), zero_budget_(zero_budget) {}

  // Puts into the plan every part a decode of (w_, r_) can ask for: the
  // smallest size of every node of both schemas, the field map of every pair
  // of records that may meet, and every reader field's default.
  void build_plan() {
    std::vector<const Node*> wnodes, rnodes;
    collect(w_, w_.root(), wnodes);
    collect(r_, r_.root(), rnodes);
    for (const Node* n : wnodes) min_size(*n, 0);
    DecodeRun as_reader(plan_, extra_, r_, r_, c_, path_, zero_budget_);
    for (const Node* n : rnodes) as_reader.min_size(*n, 0);
    for (const Node* w : wnodes) {
      if (w->kind != Kind::kRecord) continue;
      field_map(*w, *w);
      for (const Node* r : rnodes)
        if (r->kind == Kind::kRecord && names_match(*r, *w)) field_map(*w, *r);
    }
    for (const Node* r : rnodes) {
      if (r->kind != Kind::kRecord) continue;
      field_map(*r, *r);
      for (const Field& f : r->fields)
        if (f.default_json) default_of(f);
    }
  }

  void read(const Node& wref, const Node& rref, std::string& out) {
    if (path_.size() > size_t(BinaryDecoder::kMaxDepth))
      fail("nested deeper than " + std::to_string(BinaryDecoder::kMaxDepth) + " levels");
    const Node& w = w_.resolve(wref);
    const Node& r = r_.resolve(rref);
    if (w.kind == Kind::kUnion) {
      const int64_t i = read_long();
      if (i < 0 || i >= int64_t(w.branches.size()))
        fail("union branch index " + std::to_string(i) +
             " is out of range (the writer's union has " + std::to_string(w.branches.size()) +
             " branches)");
      return read(*w.branches[size_t(i)], r, out);
    }
    if (r.kind == Kind::kUnion) {
      const Node* branch = pick_branch(r, w);
      if (!branch)
        fail(std::string("the writer's ") + kind_name(w.kind) +
             " matches no branch of the reader's union (the schemas are not compatible)");
      return read(w, *branch, out);
    }
    if (w.kind != r.kind) return read_promoted(w, r, out);
    switch (w.kind) {
      case Kind::kNull:
        out += "null";
        return;
      case Kind::kBoolean: {
        const uint8_t b = take(1, "a boolean")[0];
        if (b > 1) fail("a boolean byte is " + std::to_string(b) + ", not 0 or 1");
        out += b ? "true" : "false";
        return;
      }
      case Kind::kInt:
        return emit_int(r, read_int(), out);
      case Kind::kLong:
        return emit_long(r, read_long(), out);
      case Kind::kFloat:
        return append_float(out, read_float());
      case Kind::kDouble:
        return append_double(out, read_double());
      case Kind::kBytes:
        return emit_bytes(r, read_bytes("bytes"), out);
      case Kind::kString:
        return emit_string(read_bytes("a string"), out);
      case Kind::kFixed:
        if (!names_match(r, w) || r.size != w.size)
          fail("the reader's fixed " + r.name + " cannot read the writer's fixed " + w.name);
        return emit_bytes(r, take(w.size, "a fixed of " + std::to_string(w.size) + " bytes"), out);
      case Kind::kEnum:
        return read_enum(w, r, out);
      case Kind::kArray:
        return read_blocks(w, r, out);
      case Kind::kMap:
        return read_blocks(w, r, out);
      case Kind::kRecord:
        return read_record(w, r, out);
      default:
        fail(std::string("unexpected schema node ") + kind_name(w.kind));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    std::string where = "$";
    for (const auto& p : path_) {
      if (p.key) {
        where += '[';
        json::append_quoted(where, p.name);
        where += ']';
      } else if (p.index >= 0) {
        where += "[" + std::to_string(p.index) + "]";
      } else {
        where += ".";
        where += p.name;
      }
    }
    throw DecodeError("Avro binary at " + where + " (byte " + std::to_string(c_.p - c_.begin) +
                      " of " + std::to_string(c_.end - c_.begin) + "): " + why);
  }

  std::string_view take(int64_t n, const std::string& what) {
    if (n > c_.left())
      fail("truncated: " + what + " needs " + std::to_string(n) + " bytes but only " +
           std::to_string(c_.left()) + " are left");
    std::string_view s(reinterpret_cast<const char*>(c_.p), size_t(n));
    c_.p += n;
    return s;
  }

  // Zig-zag varint of at most `max_bytes` bytes (5 for int, 10 for long).
  int64_t read_varint(int max_bytes, const char* what) {
    uint64_t v = 0;
    for (int i = 0;; ++i) {
      if (c_.p == c_.end) fail(std::string("truncated: ") + what + " varint ends early");
      const uint8_t b = *c_.p++;
      if (i == max_bytes - 1 && (b & 0x80 || (b >> (max_bytes == 10 ? 1 : 4)) != 0))
        fail(std::string(what) + " varint is longer than " + std::to_string(max_bytes) +
             " bytes or overflows");
      v |= uint64_t(b & 0x7F) << (7 * i);
      if (!(b & 0x80)) break;
    }
    return int64_t(v >> 1) ^ -int64_t(v & 1);
  }
  int64_t read_long() { return read_varint(10, "a long"); }
  int32_t read_int() { return int32_t(read_varint(5, "an int")); }

  float read_float() {
    float f;
    std::memcpy(&f, take(4, "a float").data(), 4);  // little-endian, as is this machine
    return f;
  }
  double read_double() {
    double d;
    std::memcpy(&d, take(8, "a double").data(), 8);
    return d;
  }

  std::string_view read_bytes(const std::string& what) {
    const int64_t n = read_long();
    if (n < 0) fail(what + " has a negative length " + std::to_string(n));
    return take(n, what);
  }

  void emit_int(const Node& r, int32_t v, std::string& out) {
    if (r.logical_type == "date" && v >= kFirstDay && v <= kLastDay) {
      json::append_quoted(out, format_iso_date(v));
    } else {
      out += std::to_string(v);
    }
  }

  void emit_long(const Node& r, int64_t v, std::string& out) {
    if (r.logical_type == "timestamp-millis" && v >= kFirstDay * kMsPerDay &&
        v < (kLastDay + 1) * kMsPerDay) {
      json::append_quoted(out, format_iso8601_utc(v));
    } else if (r.logical_type == "timestamp-micros" && v >= kFirstDay * kMsPerDay * 1000 &&
               v < (kLastDay + 1) * kMsPerDay * 1000) {
      json::append_quoted(out, format_timestamp_micros(v));
    } else {
      out += std::to_string(v);
    }
  }

  void emit_bytes(const Node& r, std::string_view b, std::string& out) {
    if (r.logical_type == "decimal") {
      if (int64_t(b.size()) > BinaryDecoder::kMaxDecimalBytes)
        fail("a decimal of " + std::to_string(b.size()) + " bytes is longer than the " +
             std::to_string(BinaryDecoder::kMaxDecimalBytes) + " bytes sluice prints");
      return json::append_quoted(out, format_decimal(b, r.scale));
    }
    json::append_quoted(out, latin1_to_utf8(b));
  }

  void emit_string(std::string_view s, std::string& out) {
    if (!valid_utf8(s)) fail("a string is not valid UTF-8");
    json::append_quoted(out, s);
  }

  void read_promoted(const Node& w, const Node& r, std::string& out) {
    if (!promotes(w.kind, r.kind))
      fail(std::string("the reader's ") + kind_name(r.kind) + " cannot read the writer's " +
           kind_name(w.kind) + " (the schemas are not compatible)");
    if (w.kind == Kind::kString) return emit_bytes(r, read_bytes("a string"), out);
    if (w.kind == Kind::kBytes) return emit_string(read_bytes("bytes"), out);
    if (w.kind == Kind::kFloat) return append_double(out, double(read_float()));
    const int64_t v = w.kind == Kind::kInt ? read_int() : read_long();
    if (r.kind == Kind::kLong) return emit_long(r, v, out);
    r.kind == Kind::kFloat ? append_float(out, float(v)) : append_double(out, double(v));
  }

  // The first reader branch of the writer's kind (and name), else the first the
  // writer's kind promotes to — the specification's "first matching schema".
  const Node* pick_branch(const Node& ru, const Node& w) const {
    for (const auto& b : ru.branches) {
      const Node& rb = r_.resolve(*b);
      if (rb.kind != w.kind) continue;
      const bool named = w.kind == Kind::kRecord || w.kind == Kind::kEnum || w.kind == Kind::kFixed;
      if (!named || names_match(rb, w)) return &rb;
    }
    for (const auto& b : ru.branches)
      if (promotes(w.kind, r_.resolve(*b).kind)) return &r_.resolve(*b);
    return nullptr;
  }

  void read_enum(const Node& w, const Node& r, std::string& out) {
    if (!names_match(r, w))
      fail("the reader's enum " + r.name + " cannot read the writer's enum " + w.name);
    const int64_t i = read_long();
    if (i < 0 || i >= int64_t(w.symbols.size()))
      fail("enum index " + std::to_string(i) + " is out of range (" + w.name + " has " +
           std::to_string(w.symbols.size()) + " symbols)");
    const std::string& symbol = w.symbols[size_t(i)];
    for (const auto& s : r.symbols)
      if (s == symbol) return json::append_quoted(out, s);
    if (!r.enum_default)
      fail("the writer's symbol " + symbol + " is not in the reader's enum " + r.name +
           ", which has no default");
    json::append_quoted(out, *r.enum_default);
  }

  // Arrays and maps: blocks of items, a count of 0 ends; a negative count is
  // followed by the block's byte size.
  void read_blocks(const Node& w, const Node& r, std::string& out) {
    const bool map = w.kind == Kind::kMap;
    const Node& witem = map ? *w.values : *w.items;
    const Node& ritem = map ? *r.values : *r.items;
    const int64_t item_min = min_size(witem, 0) + (map ? 1 : 0);
    out += map ? '{' : '[';
    int64_t n = 0;
    for (;;) {
      int64_t count = read_long();
      if (count == 0) break;
      if (count < 0) {
        if (count == INT64_MIN) fail("a block count overflows");
        count = -count;
        const int64_t size = read_long();
        if (size < 0 || size > c_.left())
          fail("a block's byte size " + std::to_string(size) + " is negative or past the " +
               std::to_string(c_.left()) + " bytes left");
      }
      if (item_min > 0 ? count > c_.left() / item_min : count > zero_budget_)
        fail("a block of " + std::to_string(count) + " items cannot fit in the " +
             std::to_string(c_.left()) + " bytes left");
      if (item_min == 0) zero_budget_ -= count;
      for (int64_t i = 0; i < count; ++i, ++n) {
        if (n > 0) out += ',';
        if (map) {
          path_.push_back({{}, n, false});
          const std::string_view k = read_bytes("a map key");
          if (!valid_utf8(k)) fail("a map key is not valid UTF-8");
          path_.back() = {k, -1, true};
          json::append_quoted(out, k);
          out += ':';
        } else {
          path_.push_back({{}, n, false});
        }
        read(witem, ritem, out);
        path_.pop_back();
      }
    }
    out += map ? '}' : ']';
  }

  // Every node of `s` under `ref`, named types once (references resolved).
  static void collect(const Schema& s, const Node& ref, std::vector<const Node*>& out) {
    const Node& n = s.resolve(ref);
    for (const Node* seen : out)
      if (seen == &n) return;
    out.push_back(&n);
    for (const Field& f : n.fields) collect(s, *f.type, out);
    for (const auto& b : n.branches) collect(s, *b, out);
    if (n.items) collect(s, *n.items, out);
    if (n.values) collect(s, *n.values, out);
  }

  void read_record(const Node& w, const Node& r, std::string& out) {
    if (!names_match(r, w))
      fail("the reader's record " + r.name + " cannot read the writer's record " + w.name +
           " (add the writer's name to the reader's aliases)");
    const std::vector<int>& map = field_map(w, r);
    std::vector<std::string> values(r.fields.size());
    std::vector<bool> seen(r.fields.size());
    for (size_t i = 0; i < w.fields.size(); ++i) {
      path_.push_back({w.fields[i].name, -1, false});
      if (map[i] >= 0) {
        read(*w.fields[i].type, *r.fields[size_t(map[i])].type, values[size_t(map[i])]);
        seen[size_t(map[i])] = true;
      } else {
        std::string skipped;
        DecodeRun(plan_, extra_, w_, w_, c_, path_, zero_budget_)
            .read(*w.fields[i].type, *w.fields[i].type, skipped);
      }
      path_.pop_back();
    }
    out += '{';
    for (size_t j = 0; j < r.fields.size(); ++j) {
      if (j > 0) out += ',';
      json::append_quoted(out, r.fields[j].name);
      out += ':';
      if (seen[j]) {
        out += values[j];
      } else {
        out += default_of(r.fields[j]);
      }
    }
    out += '}';
  }

  const std::vector<int>& field_map(const Node& w, const Node& r) {
    if (auto it = plan_.field_maps.find({&w, &r}); it != plan_.field_maps.end()) return it->second;
    auto [it, fresh] = extra_.field_maps.try_emplace({&w, &r});
    if (!fresh) return it->second;
    for (const Field& wf : w.fields) {
      int found = -1;
      for (size_t j = 0; j < r.fields.size() && found < 0; ++j) {
        const Field& rf = r.fields[j];
        bool aliased = false;
        for (const auto& a : rf.aliases) aliased = aliased || a == wf.name;
        if (rf.name == wf.name || aliased) found = int(j);
      }
      it->second.push_back(found);
    }
    return it->second;
  }

  const std::string& default_of(const Field& rf) {
    if (auto it = plan_.defaults.find(&rf); it != plan_.defaults.end()) return it->second;
    if (auto it = extra_.defaults.find(&rf); it != extra_.defaults.end()) return it->second;
    if (!rf.default_json) {
      path_.push_back({rf.name, -1, false});
      fail(
          "the reader's field has no default and the writer's record has no such field "
          "(the schemas are not compatible: give the reader's field a default)");
    }
    // The default in sluice's JSON form: encoded as the specification writes
    // defaults, then decoded like any datum (timestamps become text, ...).
    std::string json;
    try {
      const std::string bin = encode_default(r_, *rf.type, *rf.default_json);
      const auto* p = reinterpret_cast<const uint8_t*>(bin.data());
      Cursor c{p, p, p + bin.size()};
      std::vector<PathPart> path;
      int64_t budget = BinaryDecoder::kMaxZeroSizeItems;
      DecodeRun(plan_, extra_, r_, r_, c, path, budget).read(*rf.type, *rf.type, json);
    } catch (const std::runtime_error&) {
      json = *rf.default_json;  // a default the schema parser let through as it is
    }
    return extra_.defaults[&rf] = json;
  }

  // Fewest bytes one value of a writer node takes (0 for null and records of nulls).
  int64_t min_size(const Node& ref, int depth) {
    const Node& n = w_.resolve(ref);
    if (auto it = plan_.min_sizes.find(&n); it != plan_.min_sizes.end()) return it->second;
    if (auto it = extra_.min_sizes.find(&n); it != extra_.min_sizes.end()) return it->second;
    int64_t size = 1;
    switch (n.kind) {
      case Kind::kNull:
        size = 0;
        break;
      case Kind::kFloat:
        size = 4;
        break;
      case Kind::kDouble:
        size = 8;
        break;
      case Kind::kFixed:
        size = n.size;
        break;
      case Kind::kRecord:
        size = 0;
        if (depth > BinaryDecoder::kMaxDepth) return 0;  // a record that holds itself
        for (const Field& f : n.fields) size += min_size(*f.type, depth + 1);
        break;
      default:
        break;
    }
    extra_.min_sizes[&n] = size;
    return size;
  }

  const Plan& plan_;
  Plan& extra_;
  const Schema& w_;
  const Schema& r_;
  Cursor& c_;
  std::vector<PathPart>& path_;
  int64_t& zero_budget_;
};

BinaryDecoder::BinaryDecoder(const Schema& writer, const Schema& reader)
    : writer_(writer), reader_(reader) {
  Cursor c{nullptr, nullptr, nullptr};
  std::vector<PathPart> path;
  int64_t zero_budget = kMaxZeroSizeItems;
  DecodeRun(plan_, plan_, writer_, reader_, c, path, zero_budget).build_plan();
}

std::string BinaryDecoder::decode(std::string_view bytes) const {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  Cursor c{p, p, p + bytes.size()};
  std::vector<PathPart> path;
  int64_t zero_budget = kMaxZeroSizeItems;
  std::string out;
  Plan extra;  // stays empty unless the plan missed a part
  DecodeRun run(plan_, extra, writer_, reader_, c, path, zero_budget);
  run.read(writer_.root(), reader_.root(), out);
  if (c.p != c.end)
    throw DecodeError("Avro binary: " + std::to_string(c.end - c.p) +
                      " bytes are left over after " + std::to_string(c.p - c.begin) +
                      " bytes of the datum (wrong writer schema, or two data in one value)");
  return out;
}

}  // namespace sluice::avro

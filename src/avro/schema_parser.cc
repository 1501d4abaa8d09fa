// Schema::parse: the JSON text of a schema into Nodes, names resolved as the
// Avro specification's "Names" section says (a name with dots is a fullname;
// otherwise the type's own namespace attribute, else the enclosing one,
// applies; primitive type names are never namespaced).
#include <simdjson.h>

#include <algorithm>
#include <set>

#include "avro/schema.h"

namespace sluice::avro {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

const std::map<std::string, Kind, std::less<>> kPrimitives = {
    {"null", Kind::kNull},   {"boolean", Kind::kBoolean}, {"int", Kind::kInt},
    {"long", Kind::kLong},   {"float", Kind::kFloat},     {"double", Kind::kDouble},
    {"bytes", Kind::kBytes}, {"string", Kind::kString},
};

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw SchemaError("invalid Avro schema at " + where + ": " + what);
}

bool valid_name_part(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool valid_fullname(std::string_view s) {
  for (size_t at = 0;;) {
    size_t dot = s.find('.', at);
    if (!valid_name_part(s.substr(at, dot == std::string_view::npos ? dot : dot - at)))
      return false;
    if (dot == std::string_view::npos) return true;
    at = dot + 1;
  }
}

std::optional<std::string> string_attr(object o, const char* key, const std::string& where) {
  element v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) fail(where, std::string("\"") + key + "\" must be a string");
  return std::string(s);
}

}  // namespace

class SchemaParser {
 public:
  explicit SchemaParser(Schema& schema) : schema_(schema) {}

  NodePtr parse(element e, const std::string& ns, const std::string& where) {
    switch (e.type()) {
      case element_type::STRING:
        return named_or_primitive(std::string(std::string_view(e)), ns, where);
      case element_type::ARRAY:
        return parse_union(e, ns, where);
      case element_type::OBJECT:
        return parse_object(object(e), ns, where);
      default:
        fail(where, "a schema is a type name, a JSON object or a JSON array (a union)");
    }
  }

 private:
  NodePtr named_or_primitive(const std::string& name, const std::string& ns,
                             const std::string& where) {
    if (auto p = kPrimitives.find(name); p != kPrimitives.end()) {
      auto n = std::make_shared<Node>();
      n->kind = p->second;
      return n;
    }
    const std::string full = fullname(name, ns);
    if (!schema_.named_.contains(full)) {
      fail(where, "unknown type \"" + name + "\"" +
                      (full != name ? " (looked up as \"" + full + "\")" : "") +
                      "; a named type must be defined before it is used");
    }
    auto n = std::make_shared<Node>();
    n->kind = Kind::kReference;
    n->name = full;
    return n;
  }

  static std::string fullname(const std::string& name, const std::string& ns) {
    if (name.find('.') != std::string::npos || ns.empty()) return name;
    return ns + "." + name;
  }

  NodePtr parse_union(element e, const std::string& ns, const std::string& where) {
    auto n = std::make_shared<Node>();
    n->kind = Kind::kUnion;
    std::set<std::string> seen;
    size_t i = 0;
    for (element branch : simdjson::dom::array(e)) {
      const std::string at = where + "[" + std::to_string(i++) + "]";
      NodePtr b = parse(branch, ns, at);
      if (b->kind == Kind::kUnion) fail(at, "a union may not directly contain a union");
      // Branches differ by type, named types by name.
      const bool named = b->kind == Kind::kReference || b->kind == Kind::kRecord ||
                         b->kind == Kind::kEnum || b->kind == Kind::kFixed;
      const std::string identity = named ? b->name : kind_name(b->kind);
      if (!seen.insert(identity).second)
        fail(at, "the union already has a " + identity + " branch");
      n->branches.push_back(std::move(b));
    }
    return n;
  }

  NodePtr parse_object(object o, const std::string& ns, const std::string& where) {
    element type;
    if (o["type"].get(type) != simdjson::SUCCESS) fail(where, "an object schema needs \"type\"");
    if (type.type() != element_type::STRING) return parse(type, ns, where + ".type");
    const std::string t{std::string_view(type)};
    NodePtr n;
    if (t == "record" || t == "error") {
      n = parse_record(o, ns, where);
    } else if (t == "enum") {
      n = parse_enum(o, ns, where);
    } else if (t == "array") {
      auto a = std::make_shared<Node>();
      a->kind = Kind::kArray;
      element items;
      if (o["items"].get(items) != simdjson::SUCCESS) fail(where, "an array needs \"items\"");
      a->items = parse(items, ns, where + ".items");
      n = a;
    } else if (t == "map") {
      auto m = std::make_shared<Node>();
      m->kind = Kind::kMap;
      element values;
      if (o["values"].get(values) != simdjson::SUCCESS) fail(where, "a map needs \"values\"");
      m->values = parse(values, ns, where + ".values");
      n = m;
    } else if (t == "fixed") {
      n = parse_fixed(o, ns, where);
    } else {
      n = named_or_primitive(t, ns, where);
      if (n->kind == Kind::kReference) return n;
    }
    return with_logical_type(o, n, where);
  }

  NodePtr with_logical_type(object o, NodePtr n, const std::string& where) {
    auto logical = string_attr(o, "logicalType", where);
    if (!logical) return n;
    auto copy = std::make_shared<Node>(*n);
    copy->logical_type = *logical;
    if (*logical == "decimal") {
      int64_t precision = 0, scale = 0;
      if (o["precision"].get(precision) != simdjson::SUCCESS || precision <= 0)
        fail(where, "a decimal needs a positive integer \"precision\"");
      if (o["scale"].get(scale) == simdjson::SUCCESS && (scale < 0 || scale > precision))
        fail(where, "a decimal's \"scale\" must be between 0 and its precision");
      copy->precision = int(precision);
      copy->scale = int(scale);
    }
    // Re-register a named type so references see its logical type too.
    if (!copy->name.empty()) schema_.named_[copy->name] = copy;
    return copy;
  }

  // Common to records, enums and fixed: name, namespace, aliases, doc.
  std::shared_ptr<Node> named(object o, Kind kind, const std::string& ns, const std::string& where,
                              std::string& own_ns) {
    auto name = string_attr(o, "name", where);
    if (!name) fail(where, std::string("a ") + kind_name(kind) + " needs a \"name\"");
    auto declared_ns = string_attr(o, "namespace", where);
    std::string full = name->find('.') != std::string::npos ? *name
                       : declared_ns                        ? fullname(*name, *declared_ns)
                                                            : fullname(*name, ns);
    if (!valid_fullname(full)) fail(where, "\"" + full + "\" is not a valid Avro name");
    if (kPrimitives.contains(full)) fail(where, "\"" + full + "\" is a primitive type's name");
    if (schema_.named_.contains(full)) fail(where, "\"" + full + "\" is defined twice");
    own_ns = full.find('.') == std::string::npos ? "" : full.substr(0, full.rfind('.'));
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->name = full;
    n->doc = string_attr(o, "doc", where).value_or("");
    n->aliases = aliases(o, own_ns, where);
    return n;
  }

  std::vector<std::string> aliases(object o, const std::string& ns, const std::string& where) {
    std::vector<std::string> out;
    simdjson::dom::array list;
    if (o["aliases"].get(list) != simdjson::SUCCESS) return out;
    for (element a : list) {
      std::string_view s;
      if (a.get(s) != simdjson::SUCCESS) fail(where, "\"aliases\" must be a list of names");
      out.push_back(fullname(std::string(s), ns));
    }
    return out;
  }

  NodePtr parse_record(object o, const std::string& ns, const std::string& where) {
    std::string own_ns;
    auto n = named(o, Kind::kRecord, ns, where, own_ns);
    // Registered before its fields, so a field may refer to the record itself.
    schema_.named_[n->name] = n;
    simdjson::dom::array fields;
    if (o["fields"].get(fields) != simdjson::SUCCESS)
      fail(where, "record \"" + n->name + "\" needs a \"fields\" list");
    std::set<std::string> names;
    for (element f : fields) {
      const std::string at =
          where + "." + n->name + ".fields[" + std::to_string(n->fields.size()) + "]";
      if (f.type() != element_type::OBJECT) fail(at, "a field is a JSON object");
      object fo(f);
      Field field;
      auto fname = string_attr(fo, "name", at);
      if (!fname || !valid_name_part(*fname)) fail(at, "a field needs a valid \"name\"");
      field.name = *fname;
      if (!names.insert(field.name).second) fail(at, "field \"" + field.name + "\" appears twice");
      element ftype;
      if (fo["type"].get(ftype) != simdjson::SUCCESS)
        fail(at, "field \"" + field.name + "\" needs a \"type\"");
      field.type = parse(ftype, own_ns, at + "(" + field.name + ")");
      element def;
      if (fo["default"].get(def) == simdjson::SUCCESS) field.default_json = simdjson::minify(def);
      field.doc = string_attr(fo, "doc", at).value_or("");
      simdjson::dom::array fa;
      if (fo["aliases"].get(fa) == simdjson::SUCCESS) {
        for (element a : fa) {
          std::string_view s;
          if (a.get(s) == simdjson::SUCCESS) field.aliases.emplace_back(s);
        }
      }
      n->fields.push_back(std::move(field));
    }
    return n;
  }

  NodePtr parse_enum(object o, const std::string& ns, const std::string& where) {
    std::string own_ns;
    auto n = named(o, Kind::kEnum, ns, where, own_ns);
    simdjson::dom::array symbols;
    if (o["symbols"].get(symbols) != simdjson::SUCCESS)
      fail(where, "enum \"" + n->name + "\" needs a \"symbols\" list");
    std::set<std::string> seen;
    for (element s : symbols) {
      std::string_view sym;
      if (s.get(sym) != simdjson::SUCCESS || !valid_name_part(sym))
        fail(where, "enum \"" + n->name + "\" has a symbol that is not a valid name");
      if (!seen.insert(std::string(sym)).second)
        fail(where, "enum \"" + n->name + "\" repeats the symbol " + std::string(sym));
      n->symbols.emplace_back(sym);
    }
    n->enum_default = string_attr(o, "default", where);
    if (n->enum_default && !seen.contains(*n->enum_default))
      fail(where, "enum \"" + n->name + "\"'s default " + *n->enum_default + " is not a symbol");
    schema_.named_[n->name] = n;
    return n;
  }

  NodePtr parse_fixed(object o, const std::string& ns, const std::string& where) {
    std::string own_ns;
    auto n = named(o, Kind::kFixed, ns, where, own_ns);
    int64_t size = -1;
    if (o["size"].get(size) != simdjson::SUCCESS || size < 0)
      fail(where, "fixed \"" + n->name + "\" needs a non-negative integer \"size\"");
    n->size = size;
    schema_.named_[n->name] = n;
    return n;
  }

  Schema& schema_;
};

Schema Schema::parse(const std::string& json) {
  simdjson::dom::parser parser;
  element doc;
  if (auto error = parser.parse(json).get(doc); error != simdjson::SUCCESS)
    throw SchemaError(std::string("an Avro schema must be JSON: ") +
                      simdjson::error_message(error));
  Schema schema;
  SchemaParser p(schema);
  schema.root_ = p.parse(doc, "", "$");
  return schema;
}

const Node* Schema::find(const std::string& fullname) const {
  auto it = named_.find(fullname);
  return it == named_.end() ? nullptr : it->second.get();
}

const Node& Schema::resolve(const Node& node) const {
  if (node.kind != Kind::kReference) return node;
  const Node* def = find(node.name);
  return def ? *def : node;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kInt:
      return "int";
    case Kind::kLong:
      return "long";
    case Kind::kFloat:
      return "float";
    case Kind::kDouble:
      return "double";
    case Kind::kBytes:
      return "bytes";
    case Kind::kString:
      return "string";
    case Kind::kRecord:
      return "record";
    case Kind::kEnum:
      return "enum";
    case Kind::kArray:
      return "array";
    case Kind::kMap:
      return "map";
    case Kind::kUnion:
      return "union";
    case Kind::kFixed:
      return "fixed";
    case Kind::kReference:
      return "reference";
  }
  return "?";
}

}  // namespace sluice::avro

// Field tree <-> Dremel levels <-> parquet SchemaElements (see schema.h).
#include "lake/parquet/schema.h"

namespace sluice::lake::parquet {
namespace {

// Deep enough for any real table (Delta checkpoints nest 4 levels); bounds recursion on hostile
// files.
constexpr int kMaxDepth = 32;

using meta::SchemaElement;

struct Builder {
  Schema& s;

  int add(const Field& f, uint8_t parent_def, uint8_t parent_rep, const std::string& prefix,
          std::vector<std::string> file_path, int depth) {
    if (depth > kMaxDepth) throw ParquetError("schema nests deeper than 32 levels at " + prefix);
    if (f.name.empty()) throw ParquetError("unnamed field under '" + prefix + "'");
    const int idx = int(s.nodes.size());
    s.nodes.emplace_back();
    Node n;
    n.kind = f.kind;
    n.type = f.type;
    n.optional = f.optional;
    n.path = prefix.empty() ? f.name : prefix + "." + f.name;
    n.def = uint8_t(parent_def + (f.optional ? 1 : 0));
    n.rep = parent_rep;
    n.first_leaf = int(s.leaves.size());
    file_path.push_back(f.name);
    add_children(f, n, file_path, depth);
    n.end_leaf = int(s.leaves.size());
    s.nodes[size_t(idx)] = std::move(n);
    if (f.kind == Field::Kind::kLeaf) s.leaves.back().node = idx;
    return idx;
  }

  void expect_children(const Field& f, const Node& n, size_t count) {
    if (f.children.size() != count) {
      throw ParquetError("field '" + n.path + "' needs " + std::to_string(count) +
                         " child field(s)");
    }
  }

  void add_children(const Field& f, Node& n, std::vector<std::string>& file_path, int depth) {
    switch (f.kind) {
      case Field::Kind::kLeaf:
        expect_children(f, n, 0);
        s.leaves.push_back(Leaf{0, f.type, n.def, n.rep, n.path, file_path});
        return;
      case Field::Kind::kStruct:
        if (f.children.empty()) throw ParquetError("struct '" + n.path + "' has no fields");
        for (const auto& c : f.children)
          n.children.push_back(add(c, n.def, n.rep, n.path, file_path, depth + 1));
        return;
      case Field::Kind::kList:
        expect_children(f, n, 1);
        file_path.push_back("list");
        n.children.push_back(
            add(f.children[0], n.def + 1, n.rep + 1, n.path, file_path, depth + 1));
        return;
      case Field::Kind::kMap: {
        expect_children(f, n, 2);
        Field key = f.children[0];
        key.optional = false;  // LogicalTypes.md: map keys are required
        if (key.kind != Field::Kind::kLeaf)
          throw ParquetError("map '" + n.path + "' needs a primitive key");
        file_path.push_back("key_value");
        n.children.push_back(add(key, n.def + 1, n.rep + 1, n.path, file_path, depth + 1));
        n.children.push_back(
            add(f.children[1], n.def + 1, n.rep + 1, n.path, file_path, depth + 1));
        return;
      }
    }
    throw ParquetError("field '" + n.path + "' has an unknown kind");
  }
};

void set_leaf_type(const Field& f, SchemaElement& e) {
  e.type = physical_type(f.type);
  switch (f.type) {
    case Type::kString:
      e.converted_type = meta::kUtf8;
      e.logical_type.which = meta::kLogicalString;
      break;
    case Type::kDate:
      e.converted_type = meta::kDate;
      e.logical_type.which = meta::kLogicalDate;
      break;
    case Type::kTimestampMicros:
      e.converted_type = meta::kTimestampMicros;
      e.logical_type.which = meta::kLogicalTimestamp;
      e.logical_type.timestamp.is_adjusted_to_utc = true;
      e.logical_type.timestamp.unit.which = meta::kMicros;
      break;
    case Type::kDecimal:
      e.converted_type = meta::kDecimal;
      e.scale = f.scale;
      e.precision = f.precision;
      e.logical_type.which = meta::kLogicalDecimal;
      e.logical_type.decimal.scale = f.scale;
      e.logical_type.decimal.precision = f.precision;
      break;
    default:
      break;
  }
}

SchemaElement group(const std::string& name, int32_t repetition, int32_t children) {
  SchemaElement e;
  e.name = name;
  e.repetition = repetition;
  e.num_children = children;
  return e;
}

void emit(const Field& f, bool required, std::vector<SchemaElement>& out) {
  const int32_t rep = f.optional && !required ? meta::kOptional : meta::kRequired;
  switch (f.kind) {
    case Field::Kind::kLeaf: {
      SchemaElement e;
      e.name = f.name;
      e.repetition = rep;
      set_leaf_type(f, e);
      out.push_back(std::move(e));
      return;
    }
    case Field::Kind::kStruct:
      out.push_back(group(f.name, rep, int32_t(f.children.size())));
      for (const auto& c : f.children) emit(c, false, out);
      return;
    case Field::Kind::kList: {
      SchemaElement e = group(f.name, rep, 1);
      e.converted_type = meta::kList;
      e.logical_type.which = meta::kLogicalList;
      out.push_back(std::move(e));
      out.push_back(group("list", meta::kRepeated, 1));
      emit(f.children[0], false, out);
      return;
    }
    case Field::Kind::kMap: {
      SchemaElement e = group(f.name, rep, 1);
      e.converted_type = meta::kMap;
      e.logical_type.which = meta::kLogicalMap;
      out.push_back(std::move(e));
      out.push_back(group("key_value", meta::kRepeated, 2));
      emit(f.children[0], true, out);
      emit(f.children[1], false, out);
      return;
    }
  }
}

// ---- reading ----------------------------------------------------------------

[[noreturn]] void unsupported(const SchemaElement& e, const std::string& what) {
  throw ParquetError("unsupported schema element '" + e.name + "': " + what);
}

bool no_annotation(const SchemaElement& e) {
  return !e.converted_type && e.logical_type.which == meta::kLogicalNone;
}

Type leaf_type(const SchemaElement& e) {
  switch (*e.type) {
    case meta::kBoolean:
      if (no_annotation(e)) return Type::kBoolean;
      break;
    case meta::kFloat:
      if (no_annotation(e)) return Type::kFloat;
      break;
    case meta::kDouble:
      if (no_annotation(e)) return Type::kDouble;
      break;
    case meta::kInt32:
      if (no_annotation(e)) return Type::kInt32;
      if (e.logical_type.which == meta::kLogicalDate || e.converted_type == meta::kDate)
        return Type::kDate;
      break;
    case meta::kInt64:
      if (no_annotation(e)) return Type::kInt64;
      if (e.logical_type.which == meta::kLogicalTimestamp
              ? e.logical_type.timestamp.unit.which == meta::kMicros
              : e.converted_type == meta::kTimestampMicros) {
        return Type::kTimestampMicros;
      }
      if (e.logical_type.which == meta::kLogicalDecimal || e.converted_type == meta::kDecimal)
        return Type::kDecimal;
      break;
    case meta::kByteArray:
      if (no_annotation(e)) return Type::kBinary;
      if (e.logical_type.which == meta::kLogicalString || e.converted_type == meta::kUtf8)
        return Type::kString;
      break;
    default:
      unsupported(e, "physical type " + std::to_string(*e.type));
  }
  unsupported(e, "type annotation");
}

struct Parser {
  const std::vector<SchemaElement>& elements;
  size_t i = 0;

  const SchemaElement& next() {
    if (i >= elements.size()) throw ParquetError("schema has fewer elements than its groups claim");
    return elements[i++];
  }

  int32_t children_of(const SchemaElement& e) {
    const int32_t n = e.num_children.value_or(0);
    if (n <= 0 || size_t(n) > elements.size() - i) unsupported(e, "bad num_children");
    return n;
  }

  const SchemaElement& repeated_group(const SchemaElement& parent, int32_t children) {
    if (children_of(parent) != 1) unsupported(parent, "LIST/MAP needs one child");
    const SchemaElement& g = next();
    if (g.type || g.repetition != meta::kRepeated || children_of(g) != children) {
      unsupported(g, "LIST/MAP inner group layout");
    }
    return g;
  }

  Field parse(int depth) {
    if (depth > kMaxDepth) throw ParquetError("schema nests deeper than 32 levels");
    const SchemaElement& e = next();
    const int32_t rep = e.repetition.value_or(meta::kRequired);
    if (rep != meta::kRequired && rep != meta::kOptional)
      unsupported(e, "repeated field outside LIST/MAP");
    const bool optional = rep == meta::kOptional;
    if (e.type) {
      const Type type = leaf_type(e);
      if (type != Type::kDecimal) return Field::leaf(e.name, type, optional);
      const bool logical = e.logical_type.which == meta::kLogicalDecimal;
      return Field::decimal(e.name,
                            logical ? e.logical_type.decimal.precision : e.precision.value_or(0),
                            logical ? e.logical_type.decimal.scale : e.scale.value_or(0), optional);
    }
    if (e.converted_type == meta::kList || e.logical_type.which == meta::kLogicalList) {
      repeated_group(e, 1);
      return Field::list(e.name, parse(depth + 1), optional);
    }
    if (e.converted_type == meta::kMap || e.converted_type == meta::kMapKeyValue ||
        e.logical_type.which == meta::kLogicalMap) {
      repeated_group(e, 2);
      Field key = parse(depth + 1);
      return Field::map(e.name, std::move(key), parse(depth + 1), optional);
    }
    std::vector<Field> children;
    for (int32_t k = children_of(e); k > 0; --k) children.push_back(parse(depth + 1));
    return Field::structure(e.name, std::move(children), optional);
  }
};

}  // namespace

meta::PhysicalType physical_type(Type type) {
  switch (type) {
    case Type::kBoolean:
      return meta::kBoolean;
    case Type::kInt32:
    case Type::kDate:
      return meta::kInt32;
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return meta::kInt64;
    case Type::kFloat:
      return meta::kFloat;
    case Type::kDouble:
      return meta::kDouble;
    case Type::kString:
    case Type::kBinary:
      return meta::kByteArray;
  }
  throw ParquetError("unknown type");
}

Schema build_schema(std::vector<Field> fields) {
  if (fields.empty()) throw ParquetError("schema has no fields");
  Schema s;
  s.fields = std::move(fields);
  Builder b{s};
  for (const auto& f : s.fields) s.top.push_back(b.add(f, 0, 0, "", {}, 1));
  return s;
}

std::vector<SchemaElement> to_schema_elements(const Schema& schema) {
  std::vector<SchemaElement> out;
  SchemaElement root;
  root.name = "schema";
  root.num_children = int32_t(schema.fields.size());
  out.push_back(std::move(root));
  for (const auto& f : schema.fields) emit(f, false, out);
  return out;
}

std::vector<Field> from_schema_elements(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) throw ParquetError("file has an empty schema");
  Parser p{elements};
  const SchemaElement& root = p.next();
  std::vector<Field> fields;
  for (int32_t k = p.children_of(root); k > 0; --k) fields.push_back(p.parse(1));
  if (p.i != elements.size()) throw ParquetError("schema has elements outside its root");
  return fields;
}

}  // namespace sluice::lake::parquet

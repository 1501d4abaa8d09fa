// The generic Thrift codec (thrift_codec.h), read as a specification: what a
// described struct looks like on the wire, what reading forgives (fields it
// does not know) and what it refuses (missing required fields, wrong types,
// truncation, nesting deeper than 32), each refusal naming struct and field.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lake/parquet/file_writer.h"
#include "lake/parquet/thrift_codec.h"

namespace sluice::lake::parquet {
namespace {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::CType;

// ---- described types for the tests ------------------------------------------

struct Point {
  static constexpr const char* kThriftName = "Point";
  int32_t x = 0;
  int32_t y = 0;
  template <class V>
  void visit(V& v) {
    v.required(1, "x", x);
    v.required(2, "y", y);
  }
  bool operator==(const Point&) const = default;
};

struct Shape {  // union: EMPTY (an empty struct) or CIRCLE (a center point)
  static constexpr const char* kThriftName = "Shape";
  static constexpr bool kThriftUnion = true;
  int16_t which = 0;
  Point center;
  template <class V>
  void visit(V& v) {
    v.member(1, "EMPTY");
    v.member(2, "CIRCLE", center);
  }
  bool operator==(const Shape&) const = default;
};

enum Color : int32_t { kRed = 0, kGreen = 1 };

struct Everything {
  static constexpr const char* kThriftName = "Everything";
  bool flag = false;
  int16_t small = 0;
  int32_t color = kRed;  // an enum travels as i32
  int64_t large = 0;
  std::string text;
  Point point;
  std::vector<int32_t> numbers;
  std::vector<int64_t> bigs;
  std::vector<std::string> words;
  std::vector<Point> points;
  std::optional<int64_t> maybe;
  std::optional<Point> maybe_point;
  std::vector<std::string> tags;  // optional: absent when empty
  Shape shape;                    // optional: absent when no member is set
  std::vector<Shape> shapes;
  std::optional<bool> far_flag;  // id 40: a long field header
  template <class V>
  void visit(V& v) {
    v.required(1, "flag", flag);
    v.required(2, "small", small);
    v.required(3, "color", color);
    v.required(4, "large", large);
    v.required(5, "text", text);
    v.required(6, "point", point);
    v.required(7, "numbers", numbers);
    v.required(8, "bigs", bigs);
    v.required(9, "words", words);
    v.required(10, "points", points);
    v.optional(11, "maybe", maybe);
    v.optional(12, "maybe_point", maybe_point);
    v.optional(13, "tags", tags);
    v.optional(14, "shape", shape);
    v.required(15, "shapes", shapes);
    v.optional(40, "far_flag", far_flag);
  }
  bool operator==(const Everything&) const = default;
};

// A described type that nests itself: depth comes from the input, not the type.
struct Tree {
  static constexpr const char* kThriftName = "Tree";
  std::vector<Tree> children;
  template <class V>
  void visit(V& v) {
    v.required(1, "children", children);
  }
};

// ---- helpers ----------------------------------------------------------------

template <class T>
std::string encoded(const T& value) {
  std::string out;
  CompactWriter w(out);
  thrift::write(w, value);
  return out;
}

template <class T>
T decoded(std::string_view in) {
  CompactReader r(in);
  T value;
  thrift::read(r, value);
  return value;
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(char(x));
  return s;
}

// The ParquetError message `f` throws ("" when it does not throw).
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ParquetError& e) {
    return e.what();
  }
  return "";
}

// Bytes of a struct written field by field with the low-level writer.
std::string raw_struct(const std::function<void(CompactWriter&)>& fields) {
  std::string out;
  CompactWriter w(out);
  w.begin_struct();
  fields(w);
  w.end_struct();
  return out;
}

Everything full() {
  Everything e;
  e.flag = true;
  e.small = -7;
  e.color = kGreen;
  e.large = int64_t(1) << 40;
  e.text = std::string("bin\0ary", 7);
  e.point = {3, -4};
  e.numbers = {1, -2, 300000};
  e.bigs = {-(int64_t(1) << 50), 0};
  e.words = {"a", "", "ccc"};
  e.points = {{1, 2}, {5, 6}};
  e.maybe = -1;
  e.maybe_point = Point{9, 9};
  e.tags = {"t"};
  e.shape.which = 2;
  e.shape.center = {7, 8};
  e.shapes = {Shape{1, {}}, Shape{2, {1, 1}}};
  e.far_flag = false;
  return e;
}

// ---- writing ----------------------------------------------------------------

TEST(ThriftCodec, WritesTheBytesApacheThriftWrites) {
  // Field 1 i32 (delta 1, type 5) zigzag(1) = 2; field 2 i32 zigzag(-1) = 1; stop.
  EXPECT_EQ(encoded(Point{1, -1}), bytes({0x15, 0x02, 0x15, 0x01, 0x00}));
  // A union is a struct holding one member: CIRCLE (field 2, struct) with its point.
  Shape circle{2, {1, 0}};
  EXPECT_EQ(encoded(circle), bytes({0x2C, 0x15, 0x02, 0x15, 0x00, 0x00, 0x00}));
  // An empty-struct member is its header and a stop byte.
  EXPECT_EQ(encoded(Shape{1, {}}), bytes({0x1C, 0x00, 0x00}));
}

TEST(ThriftCodec, AbsentOptionalFieldsAreNotWritten) {
  Everything e;  // every optional absent: no maybe, maybe_point, tags, shape, far_flag
  Everything with = e;
  with.maybe = 5;
  const std::string without_bytes = encoded(e);
  const std::string with_bytes = encoded(with);
  // i64 field 11 follows field 10 (delta 1): header 0x16, then zigzag(5) = 10.
  EXPECT_EQ(with_bytes.size(), without_bytes.size() + 2);
  EXPECT_NE(with_bytes.find(bytes({0x16, 0x0A})), std::string::npos);
}

TEST(ThriftCodec, UnionWithoutADescribedMemberCannotBeWritten) {
  EXPECT_NE(error_of([] { encoded(Shape{}); }).find("Shape"), std::string::npos);
  EXPECT_NE(error_of([] { encoded(Shape{9, {}}); }).find("member 9"), std::string::npos);
}

// ---- round trips ------------------------------------------------------------

TEST(ThriftCodec, EveryFieldKindRoundTrips) {
  const Everything e = full();
  EXPECT_EQ(decoded<Everything>(encoded(e)), e);
}

TEST(ThriftCodec, AbsentOptionalsReadBackAbsent) {
  Everything e = full();
  e.maybe.reset();
  e.maybe_point.reset();
  e.tags.clear();
  e.shape = Shape{};
  e.far_flag.reset();
  const Everything back = decoded<Everything>(encoded(e));
  EXPECT_EQ(back, e);
  EXPECT_FALSE(back.maybe);
  EXPECT_EQ(back.shape.which, 0);
}

TEST(ThriftCodec, ReadingStopsAtTheStructEnd) {
  const std::string in = encoded(Point{1, 2}) + "rest";
  CompactReader r(in);
  Point p;
  thrift::read(r, p);
  EXPECT_EQ(in.substr(r.position()), "rest");
}

// ---- what reading forgives --------------------------------------------------

TEST(ThriftCodec, UnknownFieldsOfEveryTypeAreSkipped) {
  const std::string in = raw_struct([](CompactWriter& w) {
    w.field_binary(0, "before the first field");
    w.field_i32(1, 10);
    w.field_list(3, CType::kStruct, 1);  // between the described ids
    w.begin_struct();
    w.field_bool(1, true);
    w.end_struct();
    w.field_i32(2, 20);
    w.field_struct(7);
    w.field_i64(1, 1);
    w.end_struct();
    w.field_binary(300, "far beyond");
  });
  EXPECT_EQ(decoded<Point>(in), (Point{10, 20}));
}

TEST(ThriftCodec, UnknownUnionMemberIsRecordedAndSkipped) {
  // Member 9 is not described; a reader sees which == 9 and can refuse it.
  const std::string in = raw_struct([](CompactWriter& w) {
    w.field_struct(9);
    w.field_i32(1, 64);
    w.end_struct();
  });
  CompactReader r(in);
  Shape s;
  thrift::read(r, s);
  EXPECT_EQ(s.which, 9);
  EXPECT_EQ(r.position(), in.size());
}

TEST(ThriftCodec, FieldsAddedToAnEmptyMemberAreSkipped) {
  const std::string in = raw_struct([](CompactWriter& w) {
    w.field_struct(1);  // EMPTY, as a later writer might extend it
    w.field_binary(1, "new detail");
    w.end_struct();
  });
  EXPECT_EQ(decoded<Shape>(in).which, 1);
}

TEST(ThriftCodec, BoolFieldReadsEitherBoolType) {
  Everything e = full();
  e.flag = false;
  EXPECT_FALSE(decoded<Everything>(encoded(e)).flag);
  e.flag = true;
  EXPECT_TRUE(decoded<Everything>(encoded(e)).flag);
}

// ---- what reading refuses ---------------------------------------------------

TEST(ThriftCodec, MissingRequiredFieldNamesStructAndField) {
  const std::string only_x = raw_struct([](CompactWriter& w) { w.field_i32(1, 1); });
  EXPECT_EQ(error_of([&] { decoded<Point>(only_x); }),
            "malformed thrift: missing required field Point.y");
  // A required field inside a nested struct names the nested struct.
  Everything e = full();
  std::string in = encoded(e);
  const std::string point = encoded(e.point);  // 0x15 0x06 0x15 0x07 0x00
  const std::string point_x_only = point.substr(0, 2) + '\0';
  in.replace(in.find(point), point.size(), point_x_only);
  EXPECT_EQ(error_of([&] { decoded<Everything>(in); }),
            "malformed thrift: missing required field Point.y");
}

TEST(ThriftCodec, WrongWireTypeNamesStructAndField) {
  const std::string x_as_text = raw_struct([](CompactWriter& w) {
    w.field_binary(1, "1");
    w.field_i32(2, 2);
  });
  EXPECT_EQ(error_of([&] { decoded<Point>(x_as_text); }),
            "malformed thrift: wrong wire type for Point.x");
  const std::string circle_as_i32 = raw_struct([](CompactWriter& w) { w.field_i32(2, 1); });
  EXPECT_EQ(error_of([&] { decoded<Shape>(circle_as_i32); }),
            "malformed thrift: wrong wire type for Shape.CIRCLE");
}

TEST(ThriftCodec, WrongListElementTypeNamesStructAndField) {
  const std::string in = raw_struct([](CompactWriter& w) {
    w.field_list(1, CType::kBinary, 1);
    w.binary("not a tree");
  });
  EXPECT_EQ(error_of([&] { decoded<Tree>(in); }),
            "malformed thrift: wrong list element type for Tree.children");
}

TEST(ThriftCodec, EveryTruncationIsRefused) {
  const std::string in = encoded(full());
  for (size_t n = 0; n < in.size(); ++n) {
    EXPECT_THROW(decoded<Everything>(in.substr(0, n)), ParquetError) << n;
  }
}

TEST(ThriftCodec, ListCountBeyondTheInputIsRefused) {
  std::string in = raw_struct([](CompactWriter& w) { w.field_list(1, CType::kStruct, 0); });
  in = in.substr(0, 1) + bytes({0xFC, 0xFF, 0xFF, 0xFF, 0x0F}) + in.substr(2);
  EXPECT_NE(error_of([&] { decoded<Tree>(in); }).find("list longer than its input"),
            std::string::npos);
}

// Tree{children: [Tree{children: [...]}]} nested `depth` structs deep.
std::string nested_trees(int depth) {
  std::string out;
  CompactWriter w(out);
  for (int i = 0; i < depth; ++i) {
    w.begin_struct();
    w.field_list(1, CType::kStruct, i + 1 < depth ? 1 : 0);
  }
  for (int i = 0; i < depth; ++i) w.end_struct();
  return out;
}

TEST(ThriftCodec, DescribedNestingIsCappedAt32) {
  EXPECT_NO_THROW(decoded<Tree>(nested_trees(32)));
  EXPECT_EQ(error_of([] { decoded<Tree>(nested_trees(33)); }),
            "malformed thrift: nesting deeper than 32");
  EXPECT_THROW(decoded<Tree>(nested_trees(10000)), ParquetError);  // no stack overflow
}

TEST(ThriftCodec, SkippedNestingIsCappedAt32) {
  // An unknown field holding 100 nested structs.
  const std::string in = raw_struct([](CompactWriter& w) {
    w.field_i32(1, 1);
    w.field_i32(2, 2);
    for (int i = 0; i < 100; ++i) w.field_struct(5);
    for (int i = 0; i < 100; ++i) w.end_struct();
  });
  EXPECT_EQ(error_of([&] { decoded<Point>(in); }), "malformed thrift: nesting deeper than 32");
}

}  // namespace
}  // namespace sluice::lake::parquet

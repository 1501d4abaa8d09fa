// TypedColumn: the typed arrays of one flat column chunk (see typed_column.h).
#include "lake/parquet/typed_column.h"

#include "lake/parquet/column_reader.h"
#include "lake/parquet/plain_decoder.h"
#include "lake/parquet/schema.h"

namespace sluice::lake::parquet {
namespace {

enum class Kind { kInts, kReals, kBytes };

Kind kind_of(Type type) {
  switch (type) {
    case Type::kFloat:
    case Type::kDouble:
      return Kind::kReals;
    case Type::kString:
    case Type::kBinary:
      return Kind::kBytes;
    default:
      return Kind::kInts;
  }
}

}  // namespace

// Numbers go straight into the column's arrays; a numeric dictionary is kept
// here and copied out per index. String pages are taken whole into pages_ and
// their values become pool entries; dictionary-encoded strings become codes.
class TypedColumn::Sink final : public PageValues {
 public:
  explicit Sink(TypedColumn& column) : c_(column), kind_(kind_of(column.type_)) {}

  void dictionary(Type type, std::string& page, size_t count) override {
    dictionary_ints_.clear();
    dictionary_reals_.clear();
    dictionary_base_ = c_.pool_.size();
    decode_plain(type, keep_if_bytes(page), count, dictionary_ints_, dictionary_reals_, c_.pool_);
    dictionary_size_ = count;
  }
  size_t dictionary_size() const override { return dictionary_size_; }

  void plain(Type type, std::string& page, size_t pos, size_t count) override {
    const size_t base = c_.pool_.size();
    decode_plain(type, keep_if_bytes(page).substr(pos), count, c_.ints_, c_.reals_, c_.pool_);
    if (kind_ == Kind::kBytes)
      for (size_t i = 0; i < count; ++i) c_.codes_.push_back(uint32_t(base + i));
  }

  void indices(const uint32_t* indices, size_t count) override {
    switch (kind_) {
      case Kind::kInts:
        for (size_t i = 0; i < count; ++i) c_.ints_.push_back(dictionary_ints_[indices[i]]);
        return;
      case Kind::kReals:
        for (size_t i = 0; i < count; ++i) c_.reals_.push_back(dictionary_reals_[indices[i]]);
        return;
      case Kind::kBytes:
        for (size_t i = 0; i < count; ++i)
          c_.codes_.push_back(uint32_t(dictionary_base_ + indices[i]));
        return;
    }
  }

 private:
  // The page's bytes, moved into the column when its values are views into them.
  std::string_view keep_if_bytes(std::string& page) {
    if (kind_ != Kind::kBytes) return page;
    c_.pages_.push_back(std::make_unique<const std::string>(std::move(page)));
    return *c_.pages_.back();
  }

  TypedColumn& c_;
  Kind kind_;
  std::vector<int64_t> dictionary_ints_;
  std::vector<double> dictionary_reals_;
  size_t dictionary_base_ = 0, dictionary_size_ = 0;
};

TypedColumn TypedColumn::read(std::string_view file, const meta::ColumnChunk& chunk,
                              const Leaf& leaf, int64_t rows) {
  if (leaf.max_rep != 0) throw ParquetError("column '" + leaf.path + "' is repeated, not flat");
  if (rows < 0 || rows >= int64_t(kNull))
    throw ParquetError("column '" + leaf.path + "': bad row count " + std::to_string(rows));
  TypedColumn c;
  c.type_ = leaf.type;
  c.rows_ = size_t(rows);
  std::vector<uint8_t> defs, reps;
  Sink sink(c);
  decode_column_chunk(file, chunk, leaf, defs, reps, sink);
  if (defs.size() != c.rows_)
    throw ParquetError("column '" + leaf.path + "' holds " + std::to_string(defs.size()) +
                       " entries in a row group of " + std::to_string(rows) + " rows");
  size_t present = 0;
  for (uint8_t d : defs) present += d == leaf.max_def;
  if (present != c.rows_) {
    c.slots_.resize(c.rows_);
    uint32_t next = 0;
    for (size_t r = 0; r < c.rows_; ++r) c.slots_[r] = defs[r] == leaf.max_def ? next++ : kNull;
  }
  return c;
}

Value TypedColumn::value(size_t row) const {
  const uint32_t s = slot(row);
  if (s == kNull) return {};
  switch (type_) {
    case Type::kBoolean:
      return bool(ints_[s]);
    case Type::kInt32:
    case Type::kDate:
      return int32_t(ints_[s]);
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return ints_[s];
    case Type::kFloat:
      return float(reals_[s]);
    case Type::kDouble:
      return reals_[s];
    case Type::kString:
    case Type::kBinary:
      return std::string(pool_[codes_[s]]);
  }
  return {};
}

template <typename Keep>
std::vector<uint32_t> TypedColumn::select(const std::vector<uint32_t>* candidates,
                                          Keep&& keep) const {
  std::vector<uint32_t> out;
  auto test = [&](uint32_t row) {
    const uint32_t s = slot(row);
    if (s != kNull && keep(s)) out.push_back(row);
  };
  if (candidates) {
    for (uint32_t row : *candidates) test(row);
  } else {
    for (size_t row = 0; row < rows_; ++row) test(uint32_t(row));
  }
  return out;
}

std::vector<uint32_t> TypedColumn::rows_equal(std::string_view want,
                                              const std::vector<uint32_t>* candidates) const {
  if (kind_of(type_) != Kind::kBytes) return {};
  // Each pool entry compared once; then a row is one look-up.
  std::vector<uint8_t> equal(pool_.size());
  for (size_t i = 0; i < pool_.size(); ++i) equal[i] = pool_[i] == want;
  return select(candidates, [&](uint32_t s) { return equal[codes_[s]] != 0; });
}

std::vector<uint32_t> TypedColumn::rows_in_range(int64_t lo, int64_t hi,
                                                 const std::vector<uint32_t>* candidates) const {
  if (type_ != Type::kInt64 && type_ != Type::kTimestampMicros && type_ != Type::kDecimal)
    return {};
  return select(candidates, [&](uint32_t s) { return ints_[s] >= lo && ints_[s] < hi; });
}

}  // namespace sluice::lake::parquet

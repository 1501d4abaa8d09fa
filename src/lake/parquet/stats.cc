// Column statistics: merging and the PLAIN-encoded form parquet.thrift Statistics carries.
#include "lake/parquet/stats.h"

#include <cstring>

namespace sluice::lake::parquet {
namespace {

template <typename T>
std::string raw(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

bool is_bytes(Type t) {
  return t == Type::kString || t == Type::kBinary;
}
bool is_floating(Type t) {
  return t == Type::kFloat || t == Type::kDouble;
}

}  // namespace

void ColumnStatistics::merge(const ColumnStatistics& o) {
  null_count_ += o.null_count_;
  if (!o.has_) return;
  if (is_bytes(type_)) {
    add_bytes(o.smin_);
    add_bytes(o.smax_);
  } else if (is_floating(type_)) {
    add_double(o.dmin_);
    add_double(o.dmax_);
  } else {
    add_int(o.imin_);
    add_int(o.imax_);
  }
}

void ColumnStatistics::reset() {
  null_count_ = 0;
  has_ = false;
  smin_.clear();
  smax_.clear();
}

std::string ColumnStatistics::plain(bool want_max) const {
  const int64_t i = want_max ? imax_ : imin_;
  double d = want_max ? dmax_ : dmin_;
  // parquet-format: a zero min is written as -0.0 and a zero max as +0.0, so
  // readers that prune on them stay correct whichever zero the data holds.
  if (d == 0) d = want_max ? 0.0 : -0.0;
  switch (type_) {
    case Type::kBoolean:
      return std::string(1, char(i != 0));
    case Type::kInt32:
    case Type::kDate:
      return raw(int32_t(i));
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return raw(i);
    case Type::kFloat:
      return raw(float(d));
    case Type::kDouble:
      return raw(d);
    case Type::kString:
    case Type::kBinary:
      return want_max ? smax_ : smin_;
  }
  return {};
}

meta::Statistics ColumnStatistics::to_thrift() const {
  meta::Statistics s;
  s.null_count = null_count_;
  if (!has_) return s;
  s.min_value = plain(false);
  s.max_value = plain(true);
  // The legacy fields use signed byte order, which differs for byte arrays; only numbers agree.
  if (!is_bytes(type_)) {
    s.min = s.min_value;
    s.max = s.max_value;
  }
  return s;
}

Value ColumnStatistics::value(bool want_max) const {
  const int64_t i = want_max ? imax_ : imin_;
  const double d = want_max ? dmax_ : dmin_;
  switch (type_) {
    case Type::kBoolean:
      return Value(i != 0);
    case Type::kInt32:
    case Type::kDate:
      return Value(int32_t(i));
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return Value(i);
    case Type::kFloat:
      return Value(float(d));
    case Type::kDouble:
      return Value(d);
    case Type::kString:
    case Type::kBinary:
      return Value(want_max ? smax_ : smin_);
  }
  return Value();
}

std::optional<Value> ColumnStatistics::min() const {
  if (!has_) return std::nullopt;
  return value(false);
}

std::optional<Value> ColumnStatistics::max() const {
  if (!has_) return std::nullopt;
  return value(true);
}

}  // namespace sluice::lake::parquet

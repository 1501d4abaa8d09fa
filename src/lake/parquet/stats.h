// Running null count and min/max of one leaf column, in the sort order
// parquet-format defines for its type: signed integers, IEEE floats ignoring
// NaN, byte arrays compared as unsigned bytes.
//
// Invariant: min/max are present iff at least one non-null, non-NaN value was
// added; they are the exact extremes of the values added since reset().
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lake/parquet/file_writer.h"
#include "lake/parquet/metadata.h"

namespace sluice::lake::parquet {

class ColumnStatistics {
 public:
  explicit ColumnStatistics(Type type) : type_(type) {}

  void add_nulls(int64_t n) { null_count_ += n; }
  // Booleans, int32, int64, dates and timestamps.
  void add_int(int64_t v) {
    if (!has_) {
      imin_ = imax_ = v;
      has_ = true;
    } else if (v < imin_) {
      imin_ = v;
    } else if (v > imax_) {
      imax_ = v;
    }
  }
  void add_double(double v) {
    if (std::isnan(v)) return;  // NaN has no place in an order; readers ignore it too
    if (!has_) {
      dmin_ = dmax_ = v;
      has_ = true;
    } else if (v < dmin_) {
      dmin_ = v;
    } else if (v > dmax_) {
      dmax_ = v;
    }
  }
  // std::string_view compares as unsigned char (char_traits<char>), as Parquet requires.
  void add_bytes(std::string_view v) {
    if (!has_) {
      smin_.assign(v);
      smax_.assign(v);
      has_ = true;
    } else if (v < smin_) {
      smin_.assign(v);
    } else if (v > smax_) {
      smax_.assign(v);
    }
  }

  void merge(const ColumnStatistics& other);
  void reset();

  int64_t null_count() const { return null_count_; }
  bool has_min_max() const { return has_; }
  meta::Statistics to_thrift() const;
  std::optional<Value> min() const;
  std::optional<Value> max() const;

 private:
  std::string plain(bool want_max) const;  // min or max in PLAIN encoding
  Value value(bool want_max) const;

  Type type_;
  int64_t null_count_ = 0;
  bool has_ = false;
  int64_t imin_ = 0, imax_ = 0;
  double dmin_ = 0, dmax_ = 0;
  std::string smin_, smax_;
};

}  // namespace sluice::lake::parquet

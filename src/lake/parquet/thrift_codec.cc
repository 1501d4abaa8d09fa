// The errors of the generic Thrift codec (see thrift_codec.h), out of line so
// the templates stay small. Each names the struct and field it is about.
#include "lake/parquet/thrift_codec.h"

#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet::thrift::detail {
namespace {

std::string qualified(const char* owner, const char* field) {
  return std::string(owner) + "." + field;
}

}  // namespace

void wrong_type(const char* owner, const char* field) {
  throw ParquetError("malformed thrift: wrong wire type for " + qualified(owner, field));
}

void wrong_element_type(const char* owner, const char* field) {
  throw ParquetError("malformed thrift: wrong list element type for " + qualified(owner, field));
}

void missing_required(const char* owner, const char* field) {
  throw ParquetError("malformed thrift: missing required field " + qualified(owner, field));
}

void union_not_writable(const char* owner, int16_t which) {
  throw ParquetError(std::string("cannot encode thrift union ") + owner + ": member " +
                     std::to_string(which) + (which == 0 ? " (none set)" : " is not described"));
}

void too_many_fields(const char* owner) {
  throw ParquetError(std::string("thrift description of ") + owner +
                     " has more than 64 fields, more than the codec tracks");
}

}  // namespace sluice::lake::parquet::thrift::detail

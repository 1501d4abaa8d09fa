// The entry points of metadata.h: the structs describe themselves, the generic
// codec (thrift_codec.h) does the rest.
#include "lake/parquet/metadata.h"

#include "lake/parquet/thrift_codec.h"

namespace sluice::lake::parquet::meta {

void encode(const FileMetaData& m, std::string& out) {
  thrift::CompactWriter w(out);
  thrift::write(w, m);
}

void encode(const PageHeader& h, std::string& out) {
  thrift::CompactWriter w(out);
  thrift::write(w, h);
}

FileMetaData decode_file_metadata(std::string_view in) {
  thrift::CompactReader r(in);
  FileMetaData m;
  thrift::read(r, m);
  return m;
}

PageHeader decode_page_header(std::string_view in, size_t& consumed) {
  thrift::CompactReader r(in);
  PageHeader h;
  thrift::read(r, h);
  consumed = r.position();
  return h;
}

}  // namespace sluice::lake::parquet::meta

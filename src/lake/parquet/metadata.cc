// Compact-protocol encoding and decoding of the parquet.thrift structs in metadata.h.
// Field ids are parquet.thrift's; each struct has one encode and one decode function.
#include "lake/parquet/metadata.h"

#include "lake/parquet/file_writer.h"
#include "lake/parquet/thrift_compact.h"

namespace sluice::lake::parquet::meta {
namespace {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::CType;

// ---- encoding ---------------------------------------------------------------

void put_optional_binary(CompactWriter& w, int16_t id, const std::optional<std::string>& v) {
  if (v) w.field_binary(id, *v);
}

void put(CompactWriter& w, const Statistics& s) {
  put_optional_binary(w, 1, s.max);
  put_optional_binary(w, 2, s.min);
  if (s.null_count) w.field_i64(3, *s.null_count);
  put_optional_binary(w, 5, s.max_value);
  put_optional_binary(w, 6, s.min_value);
}

void put_empty_struct(CompactWriter& w, int16_t id) {
  w.field_struct(id);
  w.end_struct();
}

void put_logical(CompactWriter& w, const SchemaElement& e) {
  w.field_struct(10);  // LogicalType union: exactly one member
  if (e.logical == kLogicalTimestamp) {
    w.field_struct(kLogicalTimestamp);
    w.field_bool(1, e.timestamp_utc);
    w.field_struct(2);
    put_empty_struct(w, e.timestamp_unit);
    w.end_struct();
    w.end_struct();
  } else {
    put_empty_struct(w, e.logical);
  }
  w.end_struct();
}

void put(CompactWriter& w, const SchemaElement& e) {
  w.begin_struct();
  if (e.type) w.field_i32(1, *e.type);
  if (e.repetition) w.field_i32(3, *e.repetition);
  w.field_binary(4, e.name);
  if (e.num_children) w.field_i32(5, *e.num_children);
  if (e.converted_type) w.field_i32(6, *e.converted_type);
  if (e.logical != kLogicalNone) put_logical(w, e);
  w.end_struct();
}

void put(CompactWriter& w, const ColumnMetaData& m) {
  w.field_i32(1, m.type);
  w.field_list(2, CType::kI32, m.encodings.size());
  for (int32_t e : m.encodings) w.i32(e);
  w.field_list(3, CType::kBinary, m.path.size());
  for (const auto& p : m.path) w.binary(p);
  w.field_i32(4, m.codec);
  w.field_i64(5, m.num_values);
  w.field_i64(6, m.total_uncompressed_size);
  w.field_i64(7, m.total_compressed_size);
  w.field_i64(9, m.data_page_offset);
  if (m.dictionary_page_offset) w.field_i64(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w.field_struct(12);
    put(w, *m.statistics);
    w.end_struct();
  }
}

void put(CompactWriter& w, const RowGroup& g) {
  w.begin_struct();
  w.field_list(1, CType::kStruct, g.columns.size());
  for (const auto& c : g.columns) {
    w.begin_struct();
    w.field_i64(2, c.file_offset);
    if (c.meta_data) {
      w.field_struct(3);
      put(w, *c.meta_data);
      w.end_struct();
    }
    w.end_struct();
  }
  w.field_i64(2, g.total_byte_size);
  w.field_i64(3, g.num_rows);
  if (g.file_offset) w.field_i64(5, *g.file_offset);
  if (g.total_compressed_size) w.field_i64(6, *g.total_compressed_size);
  if (g.ordinal) w.field_i16(7, *g.ordinal);
  w.end_struct();
}

void put_key_values(CompactWriter& w, const std::vector<KeyValue>& kvs) {
  w.field_list(5, CType::kStruct, kvs.size());
  for (const auto& kv : kvs) {
    w.begin_struct();
    w.field_binary(1, kv.key);
    put_optional_binary(w, 2, kv.value);
    w.end_struct();
  }
}

void put_column_orders(CompactWriter& w, int32_t leaves) {
  w.field_list(7, CType::kStruct, size_t(leaves));
  for (int32_t i = 0; i < leaves; ++i) {
    w.begin_struct();        // ColumnOrder union
    put_empty_struct(w, 1);  // TYPE_ORDER: min_value/max_value follow the logical type's order
    w.end_struct();
  }
}

// ---- decoding ---------------------------------------------------------------

[[noreturn]] void missing(const char* what) {
  throw ParquetError(std::string("malformed thrift: missing required field ") + what);
}

int32_t get_i32(CompactReader& r, CType t) {
  CompactReader::expect(t, CType::kI32, "i32 field");
  return r.i32();
}

int64_t get_i64(CompactReader& r, CType t) {
  CompactReader::expect(t, CType::kI64, "i64 field");
  return r.i64();
}

std::string get_binary(CompactReader& r, CType t) {
  CompactReader::expect(t, CType::kBinary, "binary field");
  return r.binary();
}

// Calls on_field(id, type) for each field of the struct that starts at the reader.
template <typename F>
void read_struct(CompactReader& r, F&& on_field) {
  r.begin_struct();
  int16_t id;
  CType t;
  while (r.next_field(id, t)) on_field(id, t);
}

// Calls on_element() once per element of a list of `expected` elements.
template <typename F>
void read_list(CompactReader& r, CType t, CType expected, F&& on_element) {
  CompactReader::expect(t, CType::kList, "list field");
  CType element;
  const uint32_t n = r.list_header(element);
  if (n > 0) CompactReader::expect(element, expected, "list element");
  for (uint32_t i = 0; i < n; ++i) on_element();
}

Statistics get_statistics(CompactReader& r, CType t) {
  CompactReader::expect(t, CType::kStruct, "Statistics");
  Statistics s;
  read_struct(r, [&](int16_t id, CType ft) {
    switch (id) {
      case 1:
        s.max = get_binary(r, ft);
        break;
      case 2:
        s.min = get_binary(r, ft);
        break;
      case 3:
        s.null_count = get_i64(r, ft);
        break;
      case 5:
        s.max_value = get_binary(r, ft);
        break;
      case 6:
        s.min_value = get_binary(r, ft);
        break;
      default:
        r.skip(ft);
    }
  });
  return s;
}

void get_timestamp(CompactReader& r, SchemaElement& e) {
  read_struct(r, [&](int16_t id, CType t) {
    if (id == 1) {
      e.timestamp_utc = r.boolean(t);
    } else if (id == 2 && t == CType::kStruct) {
      read_struct(r, [&](int16_t unit, CType ut) {
        e.timestamp_unit = unit;
        r.skip(ut);
      });
    } else {
      r.skip(t);
    }
  });
}

void get_logical(CompactReader& r, CType t, SchemaElement& e) {
  CompactReader::expect(t, CType::kStruct, "LogicalType");
  read_struct(r, [&](int16_t id, CType member) {
    e.logical = id;
    if (id == kLogicalTimestamp && member == CType::kStruct) {
      get_timestamp(r, e);
    } else {
      r.skip(member);
    }
  });
}

SchemaElement get_schema_element(CompactReader& r) {
  SchemaElement e;
  bool has_name = false;
  read_struct(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        e.type = get_i32(r, t);
        break;
      case 3:
        e.repetition = get_i32(r, t);
        break;
      case 4:
        e.name = get_binary(r, t), has_name = true;
        break;
      case 5:
        e.num_children = get_i32(r, t);
        break;
      case 6:
        e.converted_type = get_i32(r, t);
        break;
      case 10:
        get_logical(r, t, e);
        break;
      default:
        r.skip(t);
    }
  });
  if (!has_name) missing("SchemaElement.name");
  return e;
}

ColumnMetaData get_column_meta(CompactReader& r, CType t) {
  CompactReader::expect(t, CType::kStruct, "ColumnMetaData");
  ColumnMetaData m;
  int seen = 0;  // bit per required field
  read_struct(r, [&](int16_t id, CType ft) {
    switch (id) {
      case 1:
        m.type = get_i32(r, ft), seen |= 1;
        break;
      case 2:
        read_list(r, ft, CType::kI32, [&] { m.encodings.push_back(r.i32()); });
        break;
      case 3:
        read_list(r, ft, CType::kBinary, [&] { m.path.push_back(r.binary()); });
        break;
      case 4:
        m.codec = get_i32(r, ft), seen |= 2;
        break;
      case 5:
        m.num_values = get_i64(r, ft), seen |= 4;
        break;
      case 6:
        m.total_uncompressed_size = get_i64(r, ft);
        break;
      case 7:
        m.total_compressed_size = get_i64(r, ft), seen |= 8;
        break;
      case 9:
        m.data_page_offset = get_i64(r, ft), seen |= 16;
        break;
      case 11:
        m.dictionary_page_offset = get_i64(r, ft);
        break;
      case 12:
        m.statistics = get_statistics(r, ft);
        break;
      default:
        r.skip(ft);
    }
  });
  if (seen != 31) missing("ColumnMetaData");
  return m;
}

ColumnChunk get_column_chunk(CompactReader& r) {
  ColumnChunk c;
  read_struct(r, [&](int16_t id, CType t) {
    switch (id) {
      case 2:
        c.file_offset = get_i64(r, t);
        break;
      case 3:
        c.meta_data = get_column_meta(r, t);
        break;
      default:
        r.skip(t);
    }
  });
  return c;
}

RowGroup get_row_group(CompactReader& r) {
  RowGroup g;
  bool has_rows = false;
  read_struct(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        read_list(r, t, CType::kStruct, [&] { g.columns.push_back(get_column_chunk(r)); });
        break;
      case 2:
        g.total_byte_size = get_i64(r, t);
        break;
      case 3:
        g.num_rows = get_i64(r, t), has_rows = true;
        break;
      case 5:
        g.file_offset = get_i64(r, t);
        break;
      case 6:
        g.total_compressed_size = get_i64(r, t);
        break;
      default:
        r.skip(t);
    }
  });
  if (!has_rows) missing("RowGroup.num_rows");
  return g;
}

KeyValue get_key_value(CompactReader& r) {
  KeyValue kv;
  read_struct(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        kv.key = get_binary(r, t);
        break;
      case 2:
        kv.value = get_binary(r, t);
        break;
      default:
        r.skip(t);
    }
  });
  return kv;
}

DataPageHeader get_data_page(CompactReader& r, CType t) {
  CompactReader::expect(t, CType::kStruct, "DataPageHeader");
  DataPageHeader h;
  read_struct(r, [&](int16_t id, CType ft) {
    switch (id) {
      case 1:
        h.num_values = get_i32(r, ft);
        break;
      case 2:
        h.encoding = get_i32(r, ft);
        break;
      case 3:
        h.definition_level_encoding = get_i32(r, ft);
        break;
      case 4:
        h.repetition_level_encoding = get_i32(r, ft);
        break;
      default:
        r.skip(ft);
    }
  });
  return h;
}

DictionaryPageHeader get_dictionary_page(CompactReader& r, CType t) {
  CompactReader::expect(t, CType::kStruct, "DictionaryPageHeader");
  DictionaryPageHeader h;
  read_struct(r, [&](int16_t id, CType ft) {
    switch (id) {
      case 1:
        h.num_values = get_i32(r, ft);
        break;
      case 2:
        h.encoding = get_i32(r, ft);
        break;
      default:
        r.skip(ft);
    }
  });
  return h;
}

}  // namespace

void encode(const FileMetaData& m, std::string& out) {
  CompactWriter w(out);
  w.begin_struct();
  w.field_i32(1, m.version);
  w.field_list(2, CType::kStruct, m.schema.size());
  for (const auto& e : m.schema) put(w, e);
  w.field_i64(3, m.num_rows);
  w.field_list(4, CType::kStruct, m.row_groups.size());
  for (const auto& g : m.row_groups) put(w, g);
  if (!m.key_value_metadata.empty()) put_key_values(w, m.key_value_metadata);
  if (m.created_by) w.field_binary(6, *m.created_by);
  if (m.type_defined_column_orders > 0) put_column_orders(w, m.type_defined_column_orders);
  w.end_struct();
}

void encode(const PageHeader& h, std::string& out) {
  CompactWriter w(out);
  w.begin_struct();
  w.field_i32(1, h.type);
  w.field_i32(2, h.uncompressed_page_size);
  w.field_i32(3, h.compressed_page_size);
  if (h.data_page) {
    w.field_struct(5);
    w.field_i32(1, h.data_page->num_values);
    w.field_i32(2, h.data_page->encoding);
    w.field_i32(3, h.data_page->definition_level_encoding);
    w.field_i32(4, h.data_page->repetition_level_encoding);
    w.end_struct();
  }
  if (h.dictionary_page) {
    w.field_struct(7);
    w.field_i32(1, h.dictionary_page->num_values);
    w.field_i32(2, h.dictionary_page->encoding);
    w.end_struct();
  }
  w.end_struct();
}

FileMetaData decode_file_metadata(std::string_view in) {
  CompactReader r(in);
  FileMetaData m;
  int seen = 0;
  read_struct(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        m.version = get_i32(r, t), seen |= 1;
        break;
      case 2:
        read_list(r, t, CType::kStruct, [&] { m.schema.push_back(get_schema_element(r)); }),
            seen |= 2;
        break;
      case 3:
        m.num_rows = get_i64(r, t), seen |= 4;
        break;
      case 4:
        read_list(r, t, CType::kStruct, [&] { m.row_groups.push_back(get_row_group(r)); }),
            seen |= 8;
        break;
      case 5:
        read_list(r, t, CType::kStruct, [&] { m.key_value_metadata.push_back(get_key_value(r)); });
        break;
      case 6:
        m.created_by = get_binary(r, t);
        break;
      default:
        r.skip(t);
    }
  });
  if (seen != 15) missing("FileMetaData");
  return m;
}

PageHeader decode_page_header(std::string_view in, size_t& consumed) {
  CompactReader r(in);
  PageHeader h;
  int seen = 0;
  read_struct(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        h.type = get_i32(r, t), seen |= 1;
        break;
      case 2:
        h.uncompressed_page_size = get_i32(r, t), seen |= 2;
        break;
      case 3:
        h.compressed_page_size = get_i32(r, t), seen |= 4;
        break;
      case 5:
        h.data_page = get_data_page(r, t);
        break;
      case 7:
        h.dictionary_page = get_dictionary_page(r, t);
        break;
      default:
        r.skip(t);
    }
  });
  if (seen != 7) missing("PageHeader");
  consumed = r.position();
  return h;
}

}  // namespace sluice::lake::parquet::meta

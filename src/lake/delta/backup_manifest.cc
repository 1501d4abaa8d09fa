// The backup manifest as JSON: {"format": "sluice-table-backup", "format_version": 1,
// "source_store", "source_table", "table_id", "version", "created_ms", "files": [{path, size,
// sha256}]}. Read back strictly: a manifest restore cannot trust is refused, not guessed at.
#include <simdjson.h>

#include "common/json.h"
#include "lake/delta/backup.h"
#include "lake/delta/delta_error.h"

namespace sluice::lake::delta {
namespace {

constexpr std::string_view kFormat = "sluice-table-backup";
constexpr int64_t kFormatVersion = 1;

}  // namespace

int64_t BackupManifest::bytes() const {
  int64_t total = 0;
  for (const auto& f : files) total += f.size;
  return total;
}

std::string to_manifest_json(const BackupManifest& m) {
  json::JsonWriter w;
  w.begin_object().field("format", kFormat).field("format_version", kFormatVersion);
  w.field("source_store", m.source_store).field("source_table", m.source_table);
  w.field("table_id", m.table_id).field("version", m.version).field("created_ms", m.created_ms);
  w.key("files").begin_array();
  for (const auto& f : m.files) {
    w.begin_object().field("path", f.path).field("size", f.size).field("sha256", f.sha256);
    w.end_object();
  }
  w.end_array().end_object();
  return w.str() + "\n";
}

BackupManifest parse_manifest(std::string_view text, const std::string& where) {
  auto bad = [&](const std::string& what) {
    return DeltaError("backup manifest " + where + " " + what +
                      "; the backup is damaged or was not written by `sluice table backup`");
  };
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(simdjson::padded_string(text)).get(doc) != simdjson::SUCCESS)
    throw bad("is not JSON");
  auto str = [&](simdjson::dom::element e, const char* key) {
    std::string_view v;
    if (e[key].get(v) != simdjson::SUCCESS) throw bad("has no string '" + std::string(key) + "'");
    return std::string(v);
  };
  auto num = [&](simdjson::dom::element e, const char* key) {
    int64_t v = 0;
    if (e[key].get(v) != simdjson::SUCCESS) throw bad("has no integer '" + std::string(key) + "'");
    return v;
  };
  if (str(doc, "format") != kFormat) throw bad("is not a sluice table backup manifest");
  if (num(doc, "format_version") != kFormatVersion)
    throw bad("has format_version " + std::to_string(num(doc, "format_version")) +
              ", which this sluice cannot read (it reads " + std::to_string(kFormatVersion) + ")");
  BackupManifest m;
  m.source_store = str(doc, "source_store");
  m.source_table = str(doc, "source_table");
  m.table_id = str(doc, "table_id");
  m.version = num(doc, "version");
  m.created_ms = num(doc, "created_ms");
  simdjson::dom::array files;
  if (doc["files"].get(files) != simdjson::SUCCESS) throw bad("has no 'files' array");
  for (auto f : files) {
    BackupFile file{str(f, "path"), num(f, "size"), str(f, "sha256")};
    if (file.sha256.size() != 64) throw bad("has a malformed sha256 for " + file.path);
    m.files.push_back(std::move(file));
  }
  return m;
}

}  // namespace sluice::lake::delta

#include "lake/delta/table_state.h"

#include <simdjson.h>

namespace sluice::lake::delta {

void TableState::apply(const Action& action) {
  if (const auto* a = std::get_if<AddFile>(&action)) {
    tombstones.erase(a->path);
    files[a->path] = *a;
  } else if (const auto* r = std::get_if<RemoveFile>(&action)) {
    files.erase(r->path);
    tombstones[r->path] = *r;
  } else if (const auto* t = std::get_if<Txn>(&action)) {
    txns[t->app_id] = *t;
  } else if (const auto* m = std::get_if<Metadata>(&action)) {
    metadata = *m;
  } else if (const auto* p = std::get_if<Protocol>(&action)) {
    protocol = *p;
  }
}

int64_t TableState::txn_version(const std::string& app_id) const {
  auto it = txns.find(app_id);
  return it == txns.end() ? -1 : it->second.version;
}

int64_t TableState::live_bytes() const {
  int64_t total = 0;
  for (const auto& [path, f] : files) total += f.size;
  return total;
}

int64_t TableState::live_records() const {
  int64_t total = 0;
  for (const auto& [path, f] : files) total += num_records(f);
  return total;
}

int64_t num_records(const AddFile& file) {
  simdjson::dom::parser parser;
  int64_t n = 0;
  if (file.stats.empty() ||
      parser.parse(simdjson::padded_string(file.stats))["numRecords"].get(n) != simdjson::SUCCESS)
    return 0;
  return n;
}

}  // namespace sluice::lake::delta

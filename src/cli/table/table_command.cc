// `sluice table describe|history|files|vacuum|optimize STORE TABLE` (and
// delete|backup|restore, table_lifecycle.cc): a Delta
// table as an operator inspects and maintains it. STORE is an object store URL
// (see docs/object-store.md), TABLE the table's path in it. File paths are
// shown as they are in the store, relative to TABLE (partition directories
// included), not URI-encoded as in the log.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <memory>

#include "cli/support/commands.h"
#include "cli/support/table.h"
#include "cli/table/table_lifecycle.h"
#include "common/json.h"
#include "lake/delta/delta_table.h"
#include "lake/delta/partitions.h"
#include "lake/delta/table_schema.h"
#include "pipeline/config_text.h"

namespace sluice::cli {
namespace {

struct TableFlags {
  std::string store, table;
  bool json = false;
  bool dry_run = false;
  int limit = 20;
  std::string older_than = "7d";
  std::string target_size = "128MiB";
  int min_files = 2;
  std::vector<std::string> sort_by;  // optimize: each file written sorted by these columns
};

std::string utc(int64_t ms) {
  std::time_t secs = std::time_t(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

struct OpenTable {
  std::unique_ptr<lake::ObjectStore> store;
  std::unique_ptr<lake::delta::DeltaTable> table;
  lake::delta::TableState state;
};

// Opens the table, or explains on stderr why not (exit 1 by the caller).
std::optional<OpenTable> open(const TableFlags& f) {
  OpenTable t;
  t.store = lake::open_store(f.store);
  t.table = std::make_unique<lake::delta::DeltaTable>(*t.store, f.table);
  t.state = t.table->state();
  if (t.state.version < 0) {
    std::fprintf(
        stderr,
        "sluice: no Delta table at %s/%s (no _delta_log/); check the store URL and table path\n",
        t.store->url().c_str(), f.table.c_str());
    return std::nullopt;
  }
  return t;
}

int describe(const TableFlags& f) {
  auto t = open(f);
  if (!t) return 1;
  const auto& s = t->state;
  const auto schema = lake::delta::parse_schema_string(s.metadata.schema_string);
  if (f.json) {
    json::JsonWriter w;
    w.begin_object()
        .field("table", f.table)
        .field("store", t->store->url())
        .field("version", s.version);
    w.field("id", s.metadata.id)
        .field("files", int64_t(s.files.size()))
        .field("bytes", s.live_bytes());
    w.field("records", s.live_records()).key("columns").begin_array();
    for (const auto& c : schema) {
      w.begin_object().field("name", c.name).field("type", lake::delta::delta_type_name(c));
      w.field("nullable", c.nullable).end_object();
    }
    w.end_array().key("partition_columns").begin_array();
    for (const auto& c : s.metadata.partition_columns) w.value(c);
    w.end_array().key("txns").begin_object();
    for (const auto& [app, txn] : s.txns) w.field(app, txn.version);
    w.end_object().key("live_files").begin_array();
    for (const auto& [path, file] : s.files) w.value(lake::delta::path_from_uri(path));
    w.end_array().end_object();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  std::printf("table %s in %s\nversion %lld, id %s, created %s\n", f.table.c_str(),
              t->store->url().c_str(), static_cast<long long>(s.version), s.metadata.id.c_str(),
              utc(s.metadata.created_time).c_str());
  std::printf("%zu live file(s), %s, %lld record(s)\n\n", s.files.size(),
              pipeline::format_size_bytes(s.live_bytes()).c_str(),
              static_cast<long long>(s.live_records()));
  Table cols({"COLUMN", "TYPE", "NULLABLE"});
  for (const auto& c : schema)
    cols.add({c.name, lake::delta::delta_type_name(c), c.nullable ? "yes" : "no"});
  cols.print();
  if (!s.metadata.partition_columns.empty())
    std::printf("\npartitioned by: %s\n", joined(s.metadata.partition_columns).c_str());
  if (!s.txns.empty()) {
    std::printf("\nwriters (txn app id -> last offset written):\n");
    Table txns({"APP ID", "VERSION", "UPDATED"});
    for (const auto& [app, txn] : s.txns)
      txns.add({app, std::to_string(txn.version), utc(txn.last_updated)});
    txns.print();
  }
  return 0;
}

int files(const TableFlags& f) {
  auto t = open(f);
  if (!t) return 1;
  if (f.json) {
    json::JsonWriter w;
    w.begin_array();
    for (const auto& [path, file] : t->state.files) {
      w.begin_object().field("path", lake::delta::path_from_uri(path)).field("size", file.size);
      w.field("modified", utc(file.modification_time)).end_object();
    }
    std::printf("%s\n", w.end_array().str().c_str());
    return 0;
  }
  Table out({"PATH", "SIZE", "MODIFIED"});
  for (const auto& [path, file] : t->state.files) {
    out.add(
        {lake::delta::path_from_uri(path), std::to_string(file.size), utc(file.modification_time)});
  }
  out.print();
  return 0;
}

int history(const TableFlags& f) {
  auto t = open(f);
  if (!t) return 1;
  const auto commits = t->table->history(f.limit);
  if (f.json) {
    json::JsonWriter w;
    w.begin_array();
    for (const auto& c : commits) {
      w.begin_object().field("version", c.version).field("timestamp", utc(c.timestamp));
      w.field("operation", c.operation).field("writer", c.writer);
      w.field("files_added", int64_t(c.files_added));
      w.field("files_removed", int64_t(c.files_removed))
          .field("records_added", int64_t(c.records_added))
          .end_object();
    }
    std::printf("%s\n", w.end_array().str().c_str());
    return 0;
  }
  Table out({"VERSION", "TIMESTAMP", "OPERATION", "WRITER", "FILES+", "FILES-", "RECORDS+"});
  for (const auto& c : commits) {
    out.add({std::to_string(c.version), utc(c.timestamp), c.operation, c.writer,
             std::to_string(c.files_added), std::to_string(c.files_removed),
             std::to_string(c.records_added)});
  }
  out.print();
  return 0;
}

int vacuum(const TableFlags& f) {
  auto retention = pipeline::parse_duration_ms(f.older_than);
  if (!retention) {
    std::fprintf(stderr, "sluice: --older-than %s is not a duration (e.g. 7d, 12h, 30m)\n",
                 f.older_than.c_str());
    return 2;
  }
  auto t = open(f);
  if (!t) return 1;
  auto r = t->table->vacuum(*retention, f.dry_run);
  const char* verb = f.dry_run ? "would delete" : "deleted";
  for (const auto& p : r.removed_tombstoned)
    std::printf("%s %s (removed from the table)\n", verb, p.c_str());
  for (const auto& p : r.removed_orphans)
    std::printf("%s %s (orphan: never committed)\n", verb, p.c_str());
  for (const auto& p : r.removed_unfinished)
    std::printf("%s %s (interrupted write: never an object)\n", verb, p.c_str());
  std::printf("%s %zu file(s), %s\n", verb,
              r.removed_tombstoned.size() + r.removed_orphans.size() + r.removed_unfinished.size(),
              pipeline::format_size_bytes(r.bytes).c_str());
  return 0;
}

int optimize(const TableFlags& f) {
  auto target = pipeline::parse_size_bytes(f.target_size);
  if (!target) {
    std::fprintf(stderr, "sluice: --target-size %s is not a size (e.g. 128MiB)\n",
                 f.target_size.c_str());
    return 2;
  }
  auto t = open(f);
  if (!t) return 1;
  auto r = t->table->optimize(*target, f.min_files, {}, f.sort_by);
  if (r.version < 0) {
    std::printf("nothing to compact: fewer than %d files smaller than %s\n", f.min_files,
                pipeline::format_size_bytes(*target / 2).c_str());
    return 0;
  }
  std::printf("compacted %lld file(s) into %lld at version %lld\n",
              static_cast<long long>(r.files_rewritten), static_cast<long long>(r.files_written),
              static_cast<long long>(r.version));
  return 0;
}

}  // namespace

std::vector<Run> add_table_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<TableFlags>();
  CLI::App* group = app.add_subcommand("table", "Inspect and maintain Delta Lake tables");
  group->require_subcommand(1);
  std::vector<Run> runs;
  auto add = [&](const char* name, const char* help, int (*run)(const TableFlags&)) {
    CLI::App* c = group->add_subcommand(name, help);
    c->add_option("store", f->store, "Object store URL (/path, file:///path, s3://bucket/prefix)")
        ->required();
    c->add_option("table", f->table, "The table's path in the store")->required();
    registered.push_back(c);
    runs.push_back([f, run] { return run(*f); });
    return c;
  };
  add("describe",
      "Version, schema, partition columns, live files, records and writers' txn versions", describe)
      ->add_flag("--json", f->json, "Machine-readable output");
  add("files", "The live data files", files)
      ->add_flag("--json", f->json, "A JSON array of {path, size, modified}");
  CLI::App* h = add("history", "Recent commits, newest first", history);
  h->add_option("--limit", f->limit, "Commits to show");
  h->add_flag("--json", f->json,
              "A JSON array of {version, timestamp, operation, writer, files_added, files_removed, "
              "records_added}");
  CLI::App* v =
      add("vacuum", "Delete files no live version needs, including orphans from crashed writes",
          vacuum);
  v->add_option("--older-than", f->older_than,
                "Keep files removed or written more recently than this (default 7d)");
  v->add_flag("--dry-run", f->dry_run, "Only list what would be deleted");
  CLI::App* o =
      add("optimize", "Compact small files into target-size files (dataChange=false)", optimize);
  o->add_option("--target-size", f->target_size, "Target file size (default 128MiB)");
  o->add_option("--min-files", f->min_files,
                "Compact only when at least this many small files exist (default 2)");
  o->add_option("--sort-by", f->sort_by,
                "Sort each file written by these columns, e.g. exchange_timestamp,"
                "exchange_sequence_number (as a table sink's sort_by; not partition columns)")
      ->delimiter(',');
  add_table_lifecycle_commands(*group, registered, runs);
  return runs;
}

}  // namespace sluice::cli

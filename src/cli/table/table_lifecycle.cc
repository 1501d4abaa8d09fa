// `sluice table delete STORE TABLE --older-than 30d`, `sluice table backup
// STORE TABLE --to DEST` and `sluice table restore --from BACKUP`: thin
// wrappers around DeltaTable::expire_partitions and backup.h, which hold the
// guarantees (one commit; a manifest written last; checks before any write).
#include "cli/table/table_lifecycle.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/support/table.h"
#include "common/clock.h"
#include "common/json.h"
#include "lake/delta/backup.h"
#include "lake/delta/delta_table.h"
#include "lake/delta/time_text.h"
#include "pipeline/config_text.h"

namespace sluice::cli {
namespace {

struct LifecycleFlags {
  std::string store, table;
  std::string older_than, time_column;
  bool dry_run = false, keep_files = false, json = false;
  std::string to, from, to_store;
  int64_t version = -1;
};

std::string iso(int64_t ms) {
  return lake::delta::format_timestamp_iso_millis(ms * 1000);
}

int delete_partitions(const LifecycleFlags& f) {
  const auto age = pipeline::parse_duration_ms(f.older_than);
  if (!age) {
    std::fprintf(stderr, "sluice: --older-than %s is not a duration (e.g. 30d, 12h)\n",
                 f.older_than.c_str());
    return 2;
  }
  auto store = lake::open_store(f.store);
  lake::delta::DeltaTable table(*store, f.table);
  if (table.state().version < 0) {
    std::fprintf(stderr, "sluice: no Delta table at %s/%s (no _delta_log/)\n", store->url().c_str(),
                 f.table.c_str());
    return 1;
  }
  const int64_t cutoff = now_ms() - *age;
  const auto r = table.expire_partitions(f.time_column, cutoff, f.dry_run, !f.keep_files);
  if (f.json) {
    json::JsonWriter w;
    w.begin_object().field("time_columns", r.time_columns).field("cutoff", iso(cutoff));
    w.field("dry_run", f.dry_run).field("version", r.version).key("partitions").begin_array();
    for (const auto& p : r.partitions) {
      w.begin_object().field("directory", p.directory).field("end", iso(p.end_ms));
      w.field("files", int64_t(p.files.size())).field("bytes", p.bytes);
      w.field("records", p.records).end_object();
    }
    w.end_array().field("partitions_kept", r.partitions_kept);
    w.field("partitions_without_time", r.partitions_without_time);
    w.field("files_deleted", int64_t(r.files_deleted.size())).end_object();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  std::printf("time from %s; cutoff %s (now - %s)\n", r.time_columns.c_str(), iso(cutoff).c_str(),
              f.older_than.c_str());
  Table out({"PARTITION", "ENDS", "FILES", "SIZE", "RECORDS"});
  int64_t files = 0, bytes = 0, records = 0;
  for (const auto& p : r.partitions) {
    out.add({p.directory, iso(p.end_ms), std::to_string(p.files.size()),
             pipeline::format_size_bytes(p.bytes), std::to_string(p.records)});
    files += int64_t(p.files.size());
    bytes += p.bytes;
    records += p.records;
  }
  if (!r.partitions.empty()) out.print();
  if (r.partitions_without_time > 0) {
    std::printf("kept %lld partition(s) whose time is null or not a time\n",
                static_cast<long long>(r.partitions_without_time));
  }
  const char* verb = f.dry_run ? "would remove" : "removed";
  std::printf("%s %zu partition(s): %lld file(s), %s, %lld record(s); %lld partition(s) kept\n",
              verb, r.partitions.size(), static_cast<long long>(files),
              pipeline::format_size_bytes(bytes).c_str(), static_cast<long long>(records),
              static_cast<long long>(r.partitions_kept));
  if (r.version >= 0) {
    std::printf("committed version %lld (DELETE); %s\n", static_cast<long long>(r.version),
                f.keep_files
                    ? "files kept for `sluice table vacuum`"
                    : (std::to_string(r.files_deleted.size()) + " file(s) deleted").c_str());
  }
  return 0;
}

void print_manifest(const lake::delta::BackupManifest& m, const char* verb, bool as_json) {
  if (as_json) {
    std::printf("%s", lake::delta::to_manifest_json(m).c_str());
    return;
  }
  std::printf("%s %s/%s at version %lld: %zu file(s), %s (checksums: %s)\n", verb,
              m.source_store.c_str(), m.source_table.c_str(), static_cast<long long>(m.version),
              m.files.size(), pipeline::format_size_bytes(m.bytes()).c_str(),
              std::string(lake::delta::kBackupManifest).c_str());
}

int backup(const LifecycleFlags& f) {
  auto from = lake::open_store(f.store);
  auto to = lake::open_store(f.to);
  const auto m = lake::delta::backup_table(
      *from, f.table, f.version >= 0 ? std::optional<int64_t>(f.version) : std::nullopt, *to);
  print_manifest(m, ("backed up to " + to->url() + ":").c_str(), f.json);
  return 0;
}

int restore(const LifecycleFlags& f) {
  auto from = lake::open_store(f.from);
  // Where to restore defaults to where the table was backed up from.
  std::string store_url = f.to_store, table = f.to;
  if (store_url.empty() || table.empty()) {
    auto text = from->get(std::string(lake::delta::kBackupManifest));
    if (text) {
      const auto m = lake::delta::parse_manifest(*text, from->url());
      if (store_url.empty()) store_url = m.source_store;
      if (table.empty()) table = m.source_table;
    }
  }
  auto to = lake::open_store(store_url.empty() ? f.from : store_url);
  const auto m = lake::delta::restore_table(*from, *to, table);
  if (f.json) {
    print_manifest(m, "", true);
    return 0;
  }
  std::printf("restored %s/%s at version %lld from %s: %zu file(s), %s, every checksum verified\n",
              to->url().c_str(), table.c_str(), static_cast<long long>(m.version),
              from->url().c_str(), m.files.size(), pipeline::format_size_bytes(m.bytes()).c_str());
  return 0;
}

}  // namespace

void add_table_lifecycle_commands(CLI::App& group, std::vector<CLI::App*>& registered,
                                  std::vector<Run>& runs) {
  auto f = std::make_shared<LifecycleFlags>();
  auto add = [&](const char* name, const char* help, int (*run)(const LifecycleFlags&)) {
    CLI::App* c = group.add_subcommand(name, help);
    registered.push_back(c);
    runs.push_back([f, run] { return run(*f); });
    return c;
  };
  auto positional = [&](CLI::App* c) {
    c->add_option("store", f->store, "Object store URL (/path, file:///path, s3://bucket/prefix)")
        ->required();
    c->add_option("table", f->table, "The table's path in the store")->required();
  };
  CLI::App* d = add("delete",
                    "Remove whole partitions older than a cutoff (one commit), then delete their "
                    "files",
                    delete_partitions);
  positional(d);
  d->add_option("--older-than", f->older_than,
                "Remove partitions whose time ends more than this long ago (e.g. 30d)")
      ->required();
  d->add_option("--time-column", f->time_column,
                "The partition column holding the time: a date, timestamp or string column, or "
                "'year' for year/month/day/hour (default: detect)");
  d->add_flag("--dry-run", f->dry_run, "Only list the partitions that would be removed");
  d->add_flag("--keep-files", f->keep_files,
              "Commit the removal but leave the files for `sluice table vacuum`");
  d->add_flag("--json", f->json, "Machine-readable output");

  CLI::App* b =
      add("backup", "Copy the table at one version, with a manifest of SHA-256 checksums", backup);
  positional(b);
  b->add_option("--to", f->to, "Destination: an empty directory or s3://bucket/prefix")->required();
  b->add_option("--version", f->version, "The table version to back up (default: the latest)");
  b->add_flag("--json", f->json, "Print the manifest");

  CLI::App* r = add("restore",
                    "Restore a backup after verifying every checksum; never over an existing "
                    "table",
                    restore);
  r->add_option("--from", f->from, "The backup: a directory or s3://bucket/prefix")->required();
  r->add_option("--store", f->to_store,
                "Store to restore into (default: the store the backup was taken from)");
  r->add_option("--to", f->to, "Table path to restore as (default: the backed-up table's path)");
  r->add_flag("--json", f->json, "Print the manifest");
}

}  // namespace sluice::cli

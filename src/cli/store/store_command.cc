// `sluice store ...`. `check` runs the operations a lake commit needs (put, get,
// list, conditional put, delete) on a throwaway probe object and reports each
// step, so a failing step points at the permission or setting to fix.
#include "cli/store/store_command.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>

#include "cli/support/table.h"
#include "lake/store/object_store.h"

namespace sluice::cli {
namespace {

using lake::ObjectStore;
using lake::PutMode;

struct StoreFlags {
  std::string url;
  std::string prefix;
  std::string key;
  std::string file;
  std::string output;
  bool if_absent = false;
};

std::string probe_name() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return std::string("_sluice_check/") + buf;
}

std::string utc(int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Runs one step, prints "  name  OK|FAIL  12 ms  detail", and returns whether it passed.
bool step(const char* name, const std::function<std::string()>& fn) {
  const auto start = std::chrono::steady_clock::now();
  std::string detail;
  bool ok = true;
  try {
    detail = fn();
  } catch (const std::exception& e) {
    ok = false;
    detail = e.what();
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("  %-14s %-4s %6lld ms  %s\n", name, ok ? "OK" : "FAIL", static_cast<long long>(ms),
              detail.c_str());
  std::fflush(stdout);
  return ok;
}

int check(const std::string& url) {
  std::unique_ptr<ObjectStore> store;
  const std::string key = probe_name();
  const std::string data = "sluice store check " + key + "\n" + std::string(1000, '.');
  std::printf("checking store %s with probe object %s\n", url.c_str(), key.c_str());
  bool ok = step("open", [&] {
    store = lake::open_store(url);
    return store->url() + (store->supports_conditional_put()
                               ? " (conditional put: yes)"
                               : " (conditional put: no, single-writer mode)");
  });
  ok = ok && step("put", [&] {
         store->put(key, data);
         return std::to_string(data.size()) + " bytes";
       });
  ok = ok && step("get", [&] {
         auto back = store->get(key);
         if (!back)
           throw std::runtime_error("the object just written is missing (eventual consistency?)");
         if (*back != data)
           throw std::runtime_error("read back " + std::to_string(back->size()) +
                                    " bytes that differ from the " + std::to_string(data.size()) +
                                    " written");
         return std::string("content matches");
       });
  ok = ok && step("list", [&] {
         for (const auto& info : store->list("_sluice_check/"))
           if (info.key == key) return "listed, " + std::to_string(info.size) + " bytes";
         throw std::runtime_error("the probe object is not listed under _sluice_check/");
       });
  ok = ok && step("put-if-absent", [&] {
         if (store->put(key, "overwritten", PutMode::kIfAbsent))
           throw std::runtime_error(
               "the store overwrote an existing object: it ignores If-None-Match; open it with "
               "?conditional_put=false and keep a single writer");
         return std::string("refused to overwrite, as it must");
       });
  if (store) {
    // Delete even after a failure, so a half-done check leaves nothing behind.
    ok = step("delete",
              [&] {
                store->remove(key);
                if (store->head(key))
                  throw std::runtime_error("the object is still there after delete");
                return std::string("gone");
              }) &&
         ok;
  }
  std::printf(ok ? "all checks passed\n"
                 : "store check FAILED: see the step above for what to fix; "
                   "docs/object-store.md lists common errors\n");
  return ok ? 0 : 1;
}

int ls(const std::string& url, const std::string& prefix) {
  auto store = lake::open_store(url);
  Table t({"KEY", "SIZE", "MODIFIED"});
  int64_t total = 0;
  auto items = store->list(prefix);
  for (const auto& info : items) {
    t.add({info.key, std::to_string(info.size), utc(info.modified_ms)});
    total += info.size;
  }
  t.print();
  std::printf("%zu object(s), %lld bytes\n", items.size(), static_cast<long long>(total));
  return 0;
}

int get(const std::string& url, const std::string& key, const std::string& output) {
  auto store = lake::open_store(url);
  auto data = store->get(key);
  if (!data) {
    std::fprintf(stderr, "sluice: no object '%s' in %s; see `sluice store ls %s`\n", key.c_str(),
                 store->url().c_str(), url.c_str());
    return 1;
  }
  if (output.empty() || output == "-") {
    std::fwrite(data->data(), 1, data->size(), stdout);
    return 0;
  }
  std::ofstream out(output, std::ios::binary);
  out.write(data->data(), static_cast<std::streamsize>(data->size()));
  if (!out.flush()) {
    std::fprintf(stderr, "sluice: cannot write %s\n", output.c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %zu bytes to %s\n", data->size(), output.c_str());
  return 0;
}

int put(const std::string& url, const std::string& key, const std::string& file, bool if_absent) {
  std::string data;
  if (file == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "sluice: cannot read %s\n", file.c_str());
      return 1;
    }
    std::ostringstream s;
    s << in.rdbuf();
    data = std::move(s).str();
  }
  auto store = lake::open_store(url);
  if (!store->put(key, data, if_absent ? PutMode::kIfAbsent : PutMode::kOverwrite)) {
    std::fprintf(stderr, "sluice: '%s' already exists in %s; nothing written\n", key.c_str(),
                 store->url().c_str());
    return 1;
  }
  std::printf("put %s (%zu bytes) in %s\n", key.c_str(), data.size(), store->url().c_str());
  return 0;
}

}  // namespace

std::vector<Run> add_store_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<StoreFlags>();
  CLI::App* store =
      app.add_subcommand("store", "Probe and browse the lake's object store (directory or S3)");
  store->require_subcommand(1);
  std::vector<Run> runs;
  auto add = [&](CLI::App* cmd, Run run) {
    cmd->add_option("url", f->url,
                    "Store URL: /abs/path, file:///abs/path or "
                    "s3://bucket/prefix?endpoint=http://host:port&region=...")
        ->required();
    registered.push_back(cmd);
    runs.push_back(std::move(run));
  };

  add(store->add_subcommand("check",
                            "Write, read, list, conditionally write and delete a probe object"),
      [f] { return check(f->url); });

  CLI::App* l = store->add_subcommand("ls", "List objects with size and modification time");
  add(l, [f] { return ls(f->url, f->prefix); });
  l->add_option("--prefix", f->prefix, "Only keys starting with this");

  CLI::App* g = store->add_subcommand("get", "Print an object (or write it to a file)");
  add(g, [f] { return get(f->url, f->key, f->output); });
  g->add_option("key", f->key, "Object key")->required();
  g->add_option("-o,--output", f->output, "Write to this file instead of stdout");

  CLI::App* p = store->add_subcommand("put", "Upload a file as an object");
  add(p, [f] { return put(f->url, f->key, f->file, f->if_absent); });
  p->add_option("key", f->key, "Object key")->required();
  p->add_option("file", f->file, "File to upload ('-' for stdin)")->required();
  p->add_flag("--if-absent", f->if_absent, "Fail instead of overwriting an existing object");
  return runs;
}

}  // namespace sluice::cli

// An ObjectStore on a local (or mounted) filesystem: key "a/b" is the file
// <root>/a/b. A put writes "<dir>/.tmp-<name>-<random>", fsyncs it, then renames
// it over the key (kOverwrite) or link()s it into place (kIfAbsent: link fails
// atomically with EEXIST when the key exists, so of racing writers exactly one
// wins), and fsyncs the directory. Readers therefore see whole objects only,
// and a crash leaves at most a temp file, which list() never reports (the crash
// point store.put.partial, docs/reliability.md, kills a put half-way to test it).
#pragma once

#include <filesystem>

#include "lake/store/object_store.h"

namespace sluice::lake {

class LocalStore : public ObjectStore {
 public:
  // Creates `root` if missing; throws StoreError when it cannot.
  explicit LocalStore(std::filesystem::path root);

  bool put(const std::string& key, std::string_view data, PutMode mode) override;
  std::optional<std::string> get(const std::string& key) override;
  std::optional<ObjectInfo> head(const std::string& key) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  std::vector<ObjectInfo> list_unfinished(const std::string& prefix) override;
  void remove_unfinished(const std::string& key) override;
  void remove(const std::string& key) override;
  bool supports_conditional_put() const override { return true; }
  std::string url() const override { return "file://" + root_.string(); }

 private:
  std::vector<ObjectInfo> walk(const std::string& prefix, bool unfinished);
  std::filesystem::path path_of(const std::string& key) const;
  [[noreturn]] void fail(const char* op, const std::string& key, int err,
                         const std::string& detail) const;

  std::filesystem::path root_;
};

}  // namespace sluice::lake

// The object store seen by the lake: a flat namespace of immutable objects
// addressed by key ("attachments/c-17/ab12...", "_delta_log/00000000000000000003.json").
// Two back ends implement it: the local filesystem and the S3 API.
//
// Invariants every back end keeps:
//  - put() is atomic: a reader sees the whole new object or none of it, never a
//    partial one (local: temp file + fsync + rename; S3: single PUT or multipart).
//  - put(..., kIfAbsent) writes only if the key does not exist, and reports
//    false when it already did; this is what Delta commits rely on. A back end
//    that cannot guarantee it says so in supports_conditional_put().
//  - list() returns keys in ascending byte order.
//  - Failures throw StoreError whose message names the store, the key and the
//    operation, and says what to check.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::lake {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
  int64_t modified_ms = 0;  // milliseconds since the epoch
};

enum class PutMode { kOverwrite, kIfAbsent };

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Returns false only for kIfAbsent when the key already exists.
  virtual bool put(const std::string& key, std::string_view data,
                   PutMode mode = PutMode::kOverwrite) = 0;
  // std::nullopt when the key does not exist.
  virtual std::optional<std::string> get(const std::string& key) = 0;
  virtual std::optional<ObjectInfo> head(const std::string& key) = 0;
  // Every object whose key starts with `prefix`, ascending by key.
  virtual std::vector<ObjectInfo> list(const std::string& prefix) = 0;
  // Removing a key that does not exist is not an error.
  virtual void remove(const std::string& key) = 0;
  // Leftovers of puts that never finished (a crash mid-write) under `prefix`:
  // never objects, so list() does not show them and get() cannot read them.
  // The local store reports its temp files (keys with a ".tmp-" segment). The
  // S3 store reports none: an incomplete multipart upload is invisible and is
  // the bucket lifecycle rule's job (AbortIncompleteMultipartUpload, see
  // docs/object-store.md).
  virtual std::vector<ObjectInfo> list_unfinished(const std::string& /*prefix*/) { return {}; }
  // Deletes one leftover that list_unfinished() reported.
  virtual void remove_unfinished(const std::string& /*key*/) {}
  virtual bool supports_conditional_put() const = 0;
  // The store's URL, for messages ("file:///var/lib/sluice/lake", "s3://bucket/prefix").
  virtual std::string url() const = 0;
};

// Opens a store from a URL:
//   /abs/path or file:///abs/path      local filesystem (created if missing)
//   relative/path                      the same, relative to the working directory
//   s3://bucket[/prefix]               S3 API; settings from the query string or
//                                      the environment: endpoint (AWS_ENDPOINT_URL),
//                                      region (AWS_REGION, default us-east-1),
//                                      credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY),
//                                      e.g. s3://lake/prod?endpoint=http://127.0.0.1:9000
// Throws StoreError for a malformed URL.
std::unique_ptr<ObjectStore> open_store(const std::string& url);

}  // namespace sluice::lake

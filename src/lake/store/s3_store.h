// An ObjectStore over the S3 API (AWS S3, MinIO, Ceph RGW, s3rver...), path-style
// (http://endpoint/bucket/key), every request signed with SigV4. Atomicity comes
// from S3 itself: a single PUT, or a multipart upload above the threshold that
// becomes visible only when completed (and is aborted on failure; a kill in
// between — crash point store.put.partial — leaves an incomplete upload). Conditional
// put sends "If-None-Match: *"; when the server is known not to honour it
// (conditional_put=false) kIfAbsent falls back to HEAD then PUT, which is safe
// for a single writer only, and supports_conditional_put() says so.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lake/store/http_client.h"
#include "lake/store/object_store.h"

namespace sluice::lake {

struct S3Config {
  std::string endpoint;  // "http://127.0.0.1:9000", no trailing '/'
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix;  // "" or "lake/prod" (no leading or trailing '/')
  std::string access_key;
  std::string secret_key;
  std::string session_token;
  bool conditional_put = true;
  int64_t multipart_threshold = 16LL << 20;  // larger objects use multipart upload
  int64_t part_size = 8LL << 20;             // S3 minimum: 5 MiB (except the last part)
  int max_keys = 0;                          // list page size; 0: the server's default (1000)
  int max_attempts = 4;                      // tries per request for transient failures
};

// True when a conditional (If-None-Match: *) write was refused because the key exists.
bool already_exists(const HttpResponse& response);

class S3Store : public ObjectStore {
 public:
  // Throws StoreError when the configuration cannot work (no bucket, no credentials...).
  explicit S3Store(S3Config config);

  bool put(const std::string& key, std::string_view data, PutMode mode) override;
  std::optional<std::string> get(const std::string& key) override;
  std::optional<ObjectInfo> head(const std::string& key) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  void remove(const std::string& key) override;
  bool supports_conditional_put() const override { return config_.conditional_put; }
  std::string url() const override;

 private:
  using Query = std::vector<std::pair<std::string, std::string>>;
  struct Call {
    std::string op;   // "PUT", "UploadPart", ... for messages
    std::string key;  // the store key, for messages
    std::string method;
    std::string object;  // full object name in the bucket ("" for bucket-level calls)
    Query query;
    std::vector<std::pair<std::string, std::string>> headers;  // extra, lowercase names
    std::string_view body;
  };

  std::string object_name(const std::string& key) const;
  // Signs and sends `call`, retrying transient failures; returns the last response.
  HttpResponse send(const Call& call) const;
  [[noreturn]] void fail(const Call& call, const HttpResponse& r) const;
  bool put_single(const std::string& key, std::string_view data, bool if_absent);
  bool put_multipart(const std::string& key, std::string_view data, bool if_absent);

  S3Config config_;
  std::string host_;  // Host header value: "127.0.0.1:9000"
};

}  // namespace sluice::lake

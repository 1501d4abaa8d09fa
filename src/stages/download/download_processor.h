// `download`: fetches one claim attachment per task and stores it in the
// object store under attachments/<claim_id>/<sha256> (see docs/download.md).
//
// Invariants:
//  - no byte is requested from an address the SSRF guard refused: every hop
//    (the task's URL and each redirect) passes the scheme, credential, domain
//    allowlist and address checks first, and the transfer is pinned to the
//    addresses checked (download_client.h);
//  - a success means the whole body, within max_bytes and of an allowed
//    Content-Type, is in the store before the result record is returned, so a
//    crash between the two at worst downloads it again (at-least-once);
//  - every failure names the host, is categorised so the runtime retries only
//    what retrying can fix, and is logged with the host as a field.
// Thread-safe: process() keeps its state on the stack; the shared parts (the
// store, the host breakers, the event loop every transfer runs on) are safe
// to call concurrently. process() blocks its worker while its transfer runs.
#pragma once

#include <memory>
#include <string>

#include "lake/store/object_store.h"
#include "pipeline/processor.h"
#include "stages/download/download_host_breakers.h"
#include "stages/download/download_loop.h"
#include "stages/download/download_options.h"

namespace sluice::stages {

struct DownloadTask;
struct DownloadUrl;

class DownloadProcessor : public pipeline::Processor {
 public:
  // Throws std::invalid_argument naming the stage and option for bad options.
  explicit DownloadProcessor(const pipeline::ProcessorContext& context);
  // For tests: an already-open store.
  DownloadProcessor(const pipeline::ProcessorContext& context,
                    std::unique_ptr<lake::ObjectStore> store);

  pipeline::Outcome process(const pipeline::Record& record) override;

 private:
  struct Attempt;
  pipeline::Outcome download(Attempt& a);
  pipeline::Outcome store(Attempt& a, const std::string& body, const std::string& sha256,
                          const std::string& content_type);
  pipeline::Outcome fail(const Attempt& a, pipeline::ErrorCategory category,
                         const std::string& message, const std::string& dependency = "");
  std::string content_type_problem(const DownloadTask& task, const std::string& url,
                                   const std::string& host, const std::string& got) const;

  std::string stage_;
  std::string output_;
  DownloadOptions options_;
  // LocalStore and S3Store are safe to call from many threads at once (each
  // put writes its own temp file / uses its own HTTP handle), so no mutex.
  std::unique_ptr<lake::ObjectStore> store_;
  HostBreakers breakers_;
  // Last, so it is destroyed first: its thread runs transfer callbacks that
  // read options_, and stopping it fails any transfer still in flight.
  std::unique_ptr<DownloadLoop> loop_;
};

}  // namespace sluice::stages

#include "stages/download/download_processor.h"

#include <chrono>
#include <stdexcept>

#include "common/log.h"
#include "pipeline/config_text.h"
#include "stages/download/download_client.h"
#include "stages/download/download_content_type.h"
#include "stages/download/download_ssrf_guard.h"
#include "stages/download/download_task.h"
#include "stages/download/download_url.h"

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;
using pipeline::Outcome;
using Clock = std::chrono::steady_clock;

constexpr const char* kDependency = "download";
constexpr const char* kStoreDependency = "object-store";

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return "[" + s + "]";
}

std::unique_ptr<lake::ObjectStore> open_configured_store(const std::string& stage,
                                                         const std::string& url) {
  try {
    return lake::open_store(url);
  } catch (const std::exception& e) {
    throw pipeline::OptionError("store", "stage '" + stage + "': option 'store' " +
                                             pipeline::quote_value(url) +
                                             " cannot be opened: " + e.what());
  }
}

}  // namespace

// One task's progress through its hops; what failure messages and logs describe.
struct DownloadProcessor::Attempt {
  DownloadTask task;
  DownloadUrl url;  // the hop being fetched
  Clock::time_point deadline;
};

DownloadProcessor::DownloadProcessor(const pipeline::ProcessorContext& context)
    : DownloadProcessor(context, nullptr) {}

DownloadProcessor::DownloadProcessor(const pipeline::ProcessorContext& context,
                                     std::unique_ptr<lake::ObjectStore> store)
    : stage_(context.stage),
      options_(read_download_options(context.stage, context.options)),
      store_(store ? std::move(store)
                   : open_configured_store(context.stage,
                                           pipeline::resolve_option_path(context, options_.store))),
      breakers_(options_.host_breaker) {
  if (context.outputs.empty())
    throw pipeline::OptionError(
        "", "stage '" + stage_ +
                "': the download processor needs an output topic for its results "
                "(outputs: [claims.results])");
  output_ = context.outputs.front();
  download_curl_global_init();
  loop_ = std::make_unique<DownloadLoop>(options_.max_transfers, options_.max_transfers_per_host);
}

Outcome DownloadProcessor::fail(const Attempt& a, ErrorCategory category,
                                const std::string& message, const std::string& dependency) {
  // The host as a field lets an operator count errors by domain (runbook).
  log::event(log::Level::kWarn, "download", "download failed",
             {{"trace_id", a.task.trace_id},
              {"claim_id", a.task.claim_id},
              {"host", a.url.host},
              {"url", a.url.url.empty() ? a.task.url : a.url.url},
              {"category", pipeline::category_name(category)},
              {"error", message}});
  return Outcome::failure(category, message, dependency);
}

Outcome DownloadProcessor::process(const pipeline::Record& record) {
  Attempt a;
  try {
    a.task = parse_download_task(record.value);
  } catch (const TaskError& e) {
    a.task.trace_id = record.trace_id;
    return fail(a, ErrorCategory::kValidation,
                std::string(e.what()) + "; fix the producer of " + record.topic +
                    " and replay the record from the DLQ");
  }
  if (a.task.trace_id.empty()) a.task.trace_id = record.trace_id;
  try {
    a.url = parse_download_url(a.task.url);
  } catch (const UrlError& e) {
    a.url.host = e.host();  // for the log; the message quotes the whole URL
    return fail(a, e.malformed() ? ErrorCategory::kValidation : ErrorCategory::kPermanent,
                e.what());
  }
  a.deadline = Clock::now() + std::chrono::milliseconds(options_.total_timeout_ms);
  return download(a);
}

std::string DownloadProcessor::content_type_problem(const DownloadTask& task,
                                                    const std::string& url, const std::string& host,
                                                    const std::string& got) const {
  const std::string shown = got.empty() ? "no Content-Type" : "Content-Type '" + got + "'";
  if (!content_type_allowed(got, options_.allowed_content_types)) {
    return url + " (host " + host + ") answered with " + shown +
           ", which is not in allowed_content_types " + joined(options_.allowed_content_types) +
           "; if this type is legitimate, add it to the stage's allowed_content_types";
  }
  if (!task.expected_type.empty() && !content_type_matches(got, task.expected_type)) {
    return url + " (host " + host + ") answered with " + shown + " but the task expected " +
           task.expected_type + "; the link may point at an error page or the wrong file";
  }
  return "";
}

Outcome DownloadProcessor::download(Attempt& a) {
  for (int redirects = 0;; ++redirects) {
    const DownloadUrl& u = a.url;
    if (!options_.allowed_domains.allows(u.host)) {
      return fail(a, ErrorCategory::kPermanent,
                  "host " + u.host + " of " + u.url + " is not in allowed_domains " +
                      joined(options_.allowed_domains.entries()) +
                      " (rule: domain allowlist); add it there if it is a trusted source");
    }
    VettedHost vetted = vet_host(u.host, options_.addresses);
    if (vetted.kind == VettedHost::kRefused)
      return fail(a, ErrorCategory::kPermanent, "refused " + u.url + ": " + vetted.error);
    if (vetted.kind == VettedHost::kUnknownHost)
      return fail(a, ErrorCategory::kPermanent, "cannot download " + u.url + ": " + vetted.error);
    if (vetted.kind == VettedHost::kDnsUnavailable) {
      return fail(a, ErrorCategory::kTransient,
                  "cannot download " + u.url + ": " + vetted.error + "; check DNS", kDependency);
    }

    auto breaker = breakers_.get(u.host);
    if (!breaker->allow()) {
      return fail(a, ErrorCategory::kTransient,
                  "circuit open for host " + u.host +
                      ": too many of its recent downloads "
                      "failed; not connecting to " +
                      u.url + " until " +
                      pipeline::format_duration_ms(options_.host_breaker.open_ms) +
                      " after it opened. Check the host; the record is retried",
                  kDependency);
    }
    const int64_t left_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(a.deadline - Clock::now()).count();
    if (left_ms <= 0) {
      breaker->record_success();  // nothing was asked of the host
      return fail(a, ErrorCategory::kTimeout,
                  "download of " + a.task.url + " did not finish within total_timeout " +
                      pipeline::format_duration_ms(options_.total_timeout_ms) +
                      " (stopped before the redirect to host " + u.host + ")",
                  kDependency);
    }

    FetchRequest req;
    req.url = u;
    req.addresses = vetted.addresses;
    req.policy = &options_.addresses;
    req.connect_timeout_ms = options_.connect_timeout_ms;
    req.timeout_ms = left_ms;
    req.max_bytes = options_.max_bytes;
    req.want_body = [&](const std::string& type) {
      return content_type_problem(a.task, u.url, u.host, type).empty();
    };
    FetchResult r = fetch(*loop_, req);

    // A transfer that timed out still waiting for a loop slot never asked the host anything.
    const bool host_failed = (r.kind == FetchResult::kTimeout && !r.never_started) ||
                             r.kind == FetchResult::kTransport ||
                             (r.status >= 500 && r.kind == FetchResult::kHeadersOnly);
    host_failed ? breaker->record_failure() : breaker->record_success();

    switch (r.kind) {
      case FetchResult::kAddressRefused:
        return fail(a, ErrorCategory::kPermanent, "refused " + u.url + ": " + r.error);
      case FetchResult::kTimeout:
        if (r.never_started) {
          return fail(a, ErrorCategory::kTimeout,
                      "download of " + u.url + " from host " + u.host +
                          " did not start within total_timeout " +
                          pipeline::format_duration_ms(options_.total_timeout_ms) +
                          ": every transfer slot was busy (max_transfers " +
                          std::to_string(options_.max_transfers) + ", max_transfers_per_host " +
                          std::to_string(options_.max_transfers_per_host) +
                          "); raise them if the hosts can take more, or add stage processes",
                      kDependency);
        }
        if (r.connect_phase && left_ms > options_.connect_timeout_ms) {
          return fail(a, ErrorCategory::kTimeout,
                      "could not connect to host " + u.host + " for " + u.url + " within " +
                          "connect_timeout " +
                          pipeline::format_duration_ms(options_.connect_timeout_ms) +
                          "; check the host is up and reachable",
                      kDependency);
        }
        return fail(a, ErrorCategory::kTimeout,
                    "download of " + u.url + " from host " + u.host +
                        " did not finish within total_timeout " +
                        pipeline::format_duration_ms(options_.total_timeout_ms) +
                        "; the host is slow or the file is large (raise total_timeout if "
                        "that is expected)",
                    kDependency);
      case FetchResult::kTransport:
        return fail(a, ErrorCategory::kTransient,
                    "cannot download " + u.url + " from host " + u.host + ": " + r.error +
                        "; check the host is up",
                    kDependency);
      case FetchResult::kTooLarge:
        return fail(
            a, ErrorCategory::kPermanent,
            u.url + " (host " + u.host + ") is larger than max_bytes " +
                pipeline::format_size_bytes(options_.max_bytes) +
                (r.content_length > options_.max_bytes
                     ? " (Content-Length " + std::to_string(r.content_length) + ")"
                     : " (stopped after " + pipeline::format_size_bytes(options_.max_bytes) + ")") +
                "; raise max_bytes if such files are expected");
      case FetchResult::kHeadersOnly:
      case FetchResult::kBody:
        break;
    }

    if (is_redirect(r.status)) {
      if (r.location.empty()) {
        return fail(a, ErrorCategory::kPermanent,
                    "HTTP " + std::to_string(r.status) + " from " + u.url + " (host " + u.host +
                        ") without a Location header");
      }
      if (redirects + 1 > options_.max_redirects) {
        return fail(a, ErrorCategory::kPermanent,
                    "too many redirects: " + a.task.url + " still redirects after " +
                        std::to_string(options_.max_redirects) + " hops (max_redirects), last " +
                        "from host " + u.host + " to " + r.location);
      }
      try {
        a.url = resolve_redirect(u.url, r.location);
      } catch (const UrlError& e) {
        a.url.host = e.host().empty() ? a.url.host : e.host();
        return fail(a, ErrorCategory::kPermanent, e.what());
      }
      continue;
    }
    const std::string from = " from " + u.url + " (host " + u.host + ")";
    if (r.status >= 500) {
      return fail(a, ErrorCategory::kTransient,
                  "HTTP " + std::to_string(r.status) + from + "; the server failed, will retry",
                  kDependency);
    }
    if (r.status == 408 || r.status == 429) {
      // Asked to come back later: retrying is exactly what fixes these two.
      return fail(a, ErrorCategory::kTransient,
                  "HTTP " + std::to_string(r.status) + from + "; the server asked to retry later",
                  kDependency);
    }
    if (r.status >= 400) {
      return fail(a, ErrorCategory::kPermanent,
                  "HTTP " + std::to_string(r.status) + from +
                      "; the link is wrong or expired, ask the claim's sender for a new one");
    }
    if (r.status < 200 || r.status >= 300) {
      return fail(a, ErrorCategory::kPermanent,
                  "unexpected HTTP " + std::to_string(r.status) + from);
    }
    if (r.kind != FetchResult::kBody) {
      return fail(a, ErrorCategory::kPermanent,
                  content_type_problem(a.task, u.url, u.host, r.content_type));
    }
    return store(a, r.body, r.sha256, r.content_type);
  }
}

Outcome DownloadProcessor::store(Attempt& a, const std::string& body, const std::string& sha256,
                                 const std::string& content_type) {
  DownloadResult result;
  result.object_key = "attachments/" + a.task.claim_id + "/" + sha256;
  result.sha256 = sha256;
  result.size_bytes = int64_t(body.size());
  result.content_type = content_type;
  try {
    // Content-addressed: a retried or duplicated task rewrites identical bytes.
    store_->put(result.object_key, body, lake::PutMode::kOverwrite);
  } catch (const std::exception& e) {
    return fail(a, ErrorCategory::kTransient,
                "downloaded " + a.url.url + " (host " + a.url.host + ") but cannot store it as " +
                    result.object_key + ": " + e.what(),
                kStoreDependency);
  }
  result.downloaded_at = std::chrono::system_clock::now();
  pipeline::OutputRecord out;
  out.topic = output_;
  out.key = a.task.claim_id;
  out.value = download_result_json(a.task, result);
  log::event(log::Level::kDebug, "download", "stored",
             {{"trace_id", a.task.trace_id},
              {"claim_id", a.task.claim_id},
              {"host", a.url.host},
              {"url", a.url.url},
              {"object_key", result.object_key}});
  return Outcome::success({std::move(out)});
}

}  // namespace sluice::stages

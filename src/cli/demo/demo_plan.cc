#include "cli/demo/demo_plan.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "pipeline/config_text.h"

namespace sluice::cli::demo {
namespace {

constexpr Case kBadCases[kBadCaseCount] = {Case::kMalformedJson,
                                           Case::kSchemaViolation,
                                           Case::kNotFound,
                                           Case::kUnavailableBurst,
                                           Case::kSlow,
                                           Case::kHanging,
                                           Case::kOversized,
                                           Case::kWrongContentType,
                                           Case::kUntrustedDomain,
                                           Case::kRedirectPrivate};

// Bad events among the first n, spread evenly (the epsilon absorbs 0.3 * 10 = 2.9999...).
int64_t bad_before(int64_t n, double share) {
  return int64_t(std::floor(double(n) * share + 1e-9));
}

Expected dlq(const char* category, const char* reason) {
  return {"dlq", category, reason};
}

// The behaviour and expected outcome of the one bad attachment of an attachment-level case.
AttachmentPlan bad_attachment(Case kind, int64_t variant) {
  AttachmentPlan a;
  switch (kind) {
    case Case::kNotFound:
      return {0, Behaviour::kNotFound, "", 0, 0, dlq("permanent", "not_found")};
    case Case::kUnavailableBurst:
      a.behaviour = Behaviour::kUnavailableBurst;
      break;
    case Case::kSlow:
      a.behaviour = Behaviour::kSlow;
      break;
    case Case::kHanging:
      return {0, Behaviour::kHang, "", 0, 0, dlq("timeout", "timeout")};
    case Case::kOversized:
      return {0, Behaviour::kOversized, "", 0, 0, dlq("permanent", "too_large")};
    case Case::kWrongContentType:
      return {0, Behaviour::kWrongContentType, "", 0, 0, dlq("permanent", "content_type_mismatch")};
    case Case::kUntrustedDomain:
      return {0,         Behaviour::kUnreachable, "",
              32 * 1024, uint64_t(variant) + 1,   dlq("permanent", "domain_not_allowed")};
    case Case::kRedirectPrivate:
      return {
          0,  variant % 2 == 0 ? Behaviour::kRedirectPrivateNetwork : Behaviour::kRedirectMetadata,
          "", 0,
          0,  dlq("permanent", "private_address")};
    default:
      break;
  }
  return a;  // served in the end: sizes and content are filled in like a good file's
}

}  // namespace

uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

const char* case_name(Case c) {
  switch (c) {
    case Case::kGood:
      return "good";
    case Case::kMalformedJson:
      return "malformed_json";
    case Case::kSchemaViolation:
      return "schema_violation";
    case Case::kNotFound:
      return "http_404";
    case Case::kUnavailableBurst:
      return "http_503_burst";
    case Case::kSlow:
      return "slow_server";
    case Case::kHanging:
      return "hanging_server";
    case Case::kOversized:
      return "oversized";
    case Case::kWrongContentType:
      return "wrong_content_type";
    case Case::kUntrustedDomain:
      return "untrusted_domain";
    case Case::kRedirectPrivate:
      return "redirect_private";
  }
  return "unknown";
}

const char* behaviour_name(Behaviour b) {
  switch (b) {
    case Behaviour::kServe:
      return "file";
    case Behaviour::kNotFound:
      return "404";
    case Behaviour::kUnavailableBurst:
      return "503_then_file";
    case Behaviour::kSlow:
      return "slow_file";
    case Behaviour::kHang:
      return "hang";
    case Behaviour::kOversized:
      return "oversized";
    case Behaviour::kWrongContentType:
      return "html";
    case Behaviour::kRedirectPrivateNetwork:
      return "redirect_private_network";
    case Behaviour::kRedirectMetadata:
      return "redirect_metadata";
    case Behaviour::kUnreachable:
      return "unresolvable_host";
  }
  return "unknown";
}

int64_t parse_max_attachment_size(const std::string& text) {
  auto bytes = pipeline::parse_size_bytes(text);
  if (!bytes || *bytes < DemoPlan::kMinAttachment) {
    throw std::invalid_argument("--max-attachment-size '" + text +
                                "' must be a size of at least 1KiB, such as 8KiB or 200KiB");
  }
  return *bytes;
}

DemoPlan::DemoPlan(uint64_t seed, double bad_share, int64_t max_attachment_bytes)
    : seed_(seed),
      bad_share_(bad_share),
      max_attachment_bytes_(std::max(max_attachment_bytes, kMinAttachment)),
      first_claim_(int64_t(1 + mix64(seed) % 9000) * 1'000'000) {}

int64_t DemoPlan::number_of(const std::string& claim_id) const {
  if (claim_id.size() < 3 || claim_id.size() > 20 || claim_id.rfind("C-", 0) != 0) return -1;
  int64_t n = 0;
  for (size_t i = 2; i < claim_id.size(); ++i) {
    if (claim_id[i] < '0' || claim_id[i] > '9') return -1;
    n = n * 10 + (claim_id[i] - '0');
  }
  return n >= first_claim_ ? n - first_claim_ : -1;
}

EventPlan DemoPlan::event(int64_t number) const {
  EventPlan e;
  e.number = number;
  e.claim_id = "C-" + std::to_string(first_claim_ + number);
  uint64_t r = mix64(seed_ ^ mix64(uint64_t(number)));
  int64_t bad_ordinal = bad_before(number + 1, bad_share_) - 1;
  bool bad = bad_before(number + 1, bad_share_) > bad_before(number, bad_share_);
  e.kind = bad ? kBadCases[bad_ordinal % kBadCaseCount] : Case::kGood;
  int64_t variant = bad ? bad_ordinal / kBadCaseCount : 0;  // how often this kind came up before
  e.expected = {"accepted", "", ""};
  if (e.kind == Case::kMalformedJson) e.expected = dlq("validation", "malformed_json");
  if (e.kind == Case::kSchemaViolation) {
    e.expected = dlq("validation", "schema_violation");
    e.drop_claim_id = variant % 2 == 0;
  }
  if ((r >> 8) % 2 == 0) e.policy_id = "P-" + std::to_string((r >> 16) % 1000);

  int count = 1 + int(r % 3);
  int bad_index = int((r >> 24) % uint64_t(count));
  for (int i = 0; i < count; ++i) {
    AttachmentPlan a;
    bool is_bad = i == bad_index && e.kind != Case::kGood && e.kind != Case::kMalformedJson &&
                  e.kind != Case::kSchemaViolation;
    if (is_bad) a = bad_attachment(e.kind, variant);
    a.index = i;
    uint64_t ar = mix64(r + uint64_t(i) + 1);
    if (a.expected.outcome.empty()) {  // served in the end
      a.expected = {"stored", "", ""};
      int64_t smallest = std::min<int64_t>(2048, max_attachment_bytes_);
      a.size = smallest + int64_t(ar % uint64_t(max_attachment_bytes_ - smallest + 1));
      a.content = ar;
    }
    static const char* kNames[] = {"invoice.pdf", "police-report.pdf", "", "estimate.pdf"};
    a.name = kNames[(ar >> 40) % 4];
    e.attachments.push_back(a);
  }
  return e;
}

}  // namespace sluice::cli::demo

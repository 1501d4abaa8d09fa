// What `sluice demo-source` produces, as a pure function of (seed, bad share,
// event number): the claim, its case (good or one kind of bad), each
// attachment's server behaviour and the outcome the pipeline should reach.
//
// Invariant: DemoPlan::event(n) is deterministic and needs no memory of past
// events, so the producer and the HTTP server (which only sees a claim id and
// an attachment index in a URL) always agree, however long the source runs.
// Bad events are spread evenly: of the first n events, floor(n * bad_share) are
// bad, and the bad ones cycle through the ten bad kinds in turn.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::cli::demo {

enum class Case {
  kGood,
  kMalformedJson,
  kSchemaViolation,  // alternately: no claim_id / an attachment url that is not a URL
  kNotFound,
  kUnavailableBurst,  // 503 twice, then 200
  kSlow,              // answers after 2 s
  kHanging,           // never answers
  kOversized,
  kWrongContentType,
  kUntrustedDomain,
  kRedirectPrivate,  // 302 to 10.0.0.1 or to the cloud metadata address
};
inline constexpr int kBadCaseCount = 10;

enum class Behaviour {
  kServe,
  kNotFound,
  kUnavailableBurst,
  kSlow,
  kHang,
  kOversized,
  kWrongContentType,
  kRedirectPrivateNetwork,  // 302 -> http://10.0.0.1/x
  kRedirectMetadata,        // 302 -> http://169.254.169.254/latest/meta-data/
  kUnreachable,             // its host is files.untrusted.example: never asked
};

// The outcome a stage should reach: "stored", or a DLQ category and reason kind.
struct Expected {
  std::string outcome;  // "stored", "accepted" (events) or "dlq"
  std::string category;
  std::string reason;
};

struct AttachmentPlan {
  int index = 0;
  Behaviour behaviour = Behaviour::kServe;
  std::string name;      // empty: the event omits "name"
  int64_t size = 0;      // bytes of a served file (kServe, kUnavailableBurst, kSlow)
  uint64_t content = 0;  // seeds the file's bytes
  Expected expected;
};

struct EventPlan {
  int64_t number = 0;  // 0-based position in the run
  std::string claim_id;
  Case kind = Case::kGood;
  bool drop_claim_id = false;  // kSchemaViolation, first variant
  std::optional<std::string> policy_id;
  std::vector<AttachmentPlan> attachments;
  Expected expected;  // for the event itself at the ingest stage
};

const char* case_name(Case c);
// How the server answers, for the manifest: "file", "404", "503_then_file", "slow_file", "hang",
// "oversized", "html", "redirect_private_network", "redirect_metadata", "unresolvable_host".
const char* behaviour_name(Behaviour b);

class DemoPlan {
 public:
  // Served attachments are between min(2 KiB, max_attachment_bytes) and
  // max_attachment_bytes long (the default gives 2-200 KiB).
  DemoPlan(uint64_t seed, double bad_share, int64_t max_attachment_bytes = kDefaultMaxAttachment);
  static constexpr int64_t kDefaultMaxAttachment = 200 << 10;
  static constexpr int64_t kMinAttachment = 1 << 10;  // room for the PDF header and trailer

  EventPlan event(int64_t number) const;
  // The event number of a claim id this plan made, or -1.
  int64_t number_of(const std::string& claim_id) const;

 private:
  uint64_t seed_;
  double bad_share_;
  int64_t max_attachment_bytes_;
  int64_t first_claim_;  // claim numbers of this run start here (derived from the seed)
};

// The value of --max-attachment-size ("8KiB", "204800"); throws std::invalid_argument
// naming the flag if it is not a size of at least kMinAttachment.
int64_t parse_max_attachment_size(const std::string& text);

// splitmix64: the plan's only source of randomness.
uint64_t mix64(uint64_t x);

}  // namespace sluice::cli::demo

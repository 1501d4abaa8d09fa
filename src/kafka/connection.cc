#include "kafka/connection.h"

#include <algorithm>
#include <cctype>

#include "common/clock.h"
#include "kafka/conf.h"
#include "kafka/rd_errors.h"

namespace sluice::kafka {
namespace {

// Metadata is requested in slices this long, so a refusal is noticed between them.
constexpr int kSliceMs = 250;
// After every broker was reported down, keep trying this long: a host name with
// several addresses (localhost: ::1 and 127.0.0.1) gets each of them tried.
constexpr int kRefusalGraceMs = 1000;

// "127.0.0.1:9099/bootstrap: Connect to ipv4#127.0.0.1:9099 failed: Connection
// refused (after 0ms in state CONNECT)" -> "connection refused".
std::string plain_reason(std::string r) {
  if (auto p = r.find(" (after "); p != std::string::npos) r.erase(p);
  if (auto p = r.rfind(" failed: "); p != std::string::npos) {
    r.erase(0, p + 9);
  } else if (auto colon = r.find(": "); colon != std::string::npos && r.find('/') < colon) {
    r.erase(0, colon + 2);  // drop librdkafka's "host:port/broker-id: " prefix
  }
  if (!r.empty()) r[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(r[0])));
  // Something answered, but not in Kafka's framing (an HTTP port answers "HTTP" = 1213486160).
  if (r.find("invalid response size") != std::string::npos) r = "not a Kafka listener (" + r + ")";
  return r;
}

}  // namespace

Connection::Connection(Endpoint endpoint, rd_kafka_type_t type, const Settings& settings)
    : endpoint_(std::move(endpoint)), problems_(std::make_unique<Problems>()) {
  // Failures reach the operator as our own sentences, not librdkafka's log lines.
  Conf conf = new_conf({endpoint_.bootstrap, "sluice-cli", /*log_level=*/0, false, settings});
  rd_kafka_conf_set_opaque(conf.get(), problems_.get());
  rd_kafka_conf_set_error_cb(conf.get(), &Connection::on_error);
  handle_ = new_client(type, conf, endpoint_.bootstrap);
}

void Connection::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* problems = static_cast<Problems*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    problems->all_brokers_down = true;
  } else if (reason && *reason) {
    problems->last = plain_reason(reason);
  }
}

Metadata Connection::fetch_metadata(bool all_topics) {
  const int64_t start = mono_ms();
  const int64_t deadline = start + endpoint_.timeout_ms;
  for (;;) {
    int slice = static_cast<int>(std::clamp<int64_t>(deadline - mono_ms(), 1, kSliceMs));
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err =
        rd_kafka_metadata(handle_.get(), all_topics ? 1 : 0, nullptr, &md, slice);
    if (!err) return Metadata(md);
    rd_kafka_poll(handle_.get(), 0);  // runs on_error for what happened meanwhile
    const int64_t now = mono_ms();
    const std::string& why = problems_->last;
    if (problems_->all_brokers_down && !why.empty() &&
        now - start >= std::min(kRefusalGraceMs, endpoint_.timeout_ms)) {
      throw KafkaError(unreachable_message(endpoint_.bootstrap, ": " + why));
    }
    if (now >= deadline) {
      throw KafkaError(unreachable_message(endpoint_.bootstrap,
                                           " within " + std::to_string(endpoint_.timeout_ms) +
                                               " ms: " + (why.empty() ? "no answer" : why)));
    }
    if (err != RD_KAFKA_RESP_ERR__TIMED_OUT && err != RD_KAFKA_RESP_ERR__TRANSPORT) {
      throw_if(err, "reading metadata from " + endpoint_.bootstrap);
    }
  }
}

}  // namespace sluice::kafka

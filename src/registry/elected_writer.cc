#include "registry/elected_writer.h"

#include <httplib.h>

#include <chrono>

#include "common/clock.h"
#include "common/log.h"
#include "kafka/admin_client.h"
#include "kafka/consumer.h"
#include "registry/registry_api.h"
#include "registry/registry_json.h"

namespace sluice::registry {
namespace {

// The member's client id carries its URL after this marker.
constexpr std::string_view kUrlMarker = "sluice-registry@";

ops::HttpReply no_writer(const std::string& why) {
  return {500, error_json({500, 50004, why}), kRegistryContentType};
}

}  // namespace

// Hears the group hand the partition to this process or take it away.
class ElectedWriter::Membership : public kafka::RebalanceListener {
 public:
  explicit Membership(ElectedWriter& owner) : owner_(owner) {}
  void assigned(std::vector<kafka::PartitionOffset>& parts) override {
    for (const auto& p : parts) {
      if (p.topic == owner_.topic_ && p.partition == 0) {
        owner_.writer_ = true;
        log::info("registry", "this registry ({}) is now the writer of '{}'", owner_.own_url_,
                  owner_.topic_);
      }
    }
    owner_.pause_ = true;  // the partition marks the writer; its records are read by the tail
  }
  void revoked(const std::vector<kafka::PartitionOffset>&) override {
    std::lock_guard finish_the_change_in_progress(owner_.writes_);
    if (owner_.writer_.exchange(false))
      log::info("registry", "this registry ({}) is no longer the writer", owner_.own_url_);
  }

 private:
  ElectedWriter& owner_;
};

ElectedWriter::ElectedWriter(const kafka::Endpoint& endpoint, const std::string& topic,
                             const std::string& own_url, int wait_ms, std::mutex& writes)
    : endpoint_(endpoint),
      topic_(topic),
      group_("sluice-registry." + topic),
      own_url_(own_url),
      wait_ms_(wait_ms),
      writes_(writes),
      membership_(std::make_unique<Membership>(*this)) {
  consumer_ = std::make_unique<kafka::Consumer>(
      kafka::ClientOptions{endpoint.bootstrap,
                           std::string(kUrlMarker) + own_url,
                           /*log_level=*/0,
                           true,
                           {{"group.id", group_}, {"auto.offset.reset", "latest"}}},
      membership_.get());
  kafka::throw_if(consumer_->subscribe({topic_}), "joining group '" + group_ + "'");
  thread_ = std::thread([this] { run(); });
}

ElectedWriter::~ElectedWriter() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  consumer_->close();
}

void ElectedWriter::run() {
  while (!stopping_) {
    kafka::ConsumedMessage m = consumer_->poll(200);  // serves heartbeats and rebalances
    if (pause_.exchange(false)) consumer_->pause_assignment();
  }
}

std::string ElectedWriter::writer_url() const {
  try {
    kafka::AdminClient admin(endpoint_);
    for (const auto& member : admin.describe_group(group_).members) {
      for (const auto& [topic, partition] : member.assignment) {
        if (topic == topic_ && partition == 0 && member.client_id.starts_with(kUrlMarker))
          return member.client_id.substr(kUrlMarker.size());
      }
    }
  } catch (const std::exception& e) {
    log::warn("registry", "cannot find the writer of '{}': {}", topic_, e.what());
  }
  return "";
}

std::optional<ops::HttpReply> ElectedWriter::forward(const ApiRequest& r) {
  std::string url;
  const int64_t deadline = mono_ms() + wait_ms_;
  while (!writer_) {
    url = writer_url();
    if (!url.empty() && url != own_url_) break;
    if (mono_ms() > deadline) {
      return no_writer("no registry is the writer of '" + topic_ + "' (group '" + group_ +
                       "' is still choosing one, or cannot reach the cluster); retry shortly");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (writer_) return std::nullopt;
  if (r.forwarded) {
    return no_writer("this registry (" + own_url_ + ") is not the writer any more; the writer is " +
                     url + ": retry");
  }
  httplib::Client client(url);
  client.set_read_timeout(std::chrono::milliseconds(wait_ms_ + 5000));
  const std::string target = r.path + (r.raw_query.empty() ? "" : "?" + r.raw_query);
  const httplib::Headers headers{{kForwardedHeader, "1"}};
  const std::string type = kRegistryContentType;
  httplib::Result res = r.method == "POST"  ? client.Post(target, headers, r.body, type)
                        : r.method == "PUT" ? client.Put(target, headers, r.body, type)
                                            : client.Delete(target, headers, r.body, type);
  if (!res) {
    return no_writer("the writer at " + url + " did not answer (" +
                     httplib::to_string(res.error()) + "); retry shortly");
  }
  return ops::HttpReply{res->status, res->body, kRegistryContentType};
}

}  // namespace sluice::registry

// Three threads so no measurement waits on another: the caller sends on a fixed
// schedule, a poller serves delivery reports as soon as librdkafka has them, and
// a consumer thread receives. Stamps are the actual produce() time; if the
// sender falls behind its schedule the achieved rate (printed) shows it.
// Before timing starts one untimed message (stamp 0) per partition warms up the
// connections and fetchers.
#include "latency_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sluice::bench {
namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

int64_t stamp_of(const void* payload, size_t len) {
  int64_t stamp = 0;
  if (payload != nullptr && len >= sizeof stamp) std::memcpy(&stamp, payload, sizeof stamp);
  return stamp;
}

class AckLatencies : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      failed.fetch_add(1);
      return;
    }
    int64_t stamp = stamp_of(message.payload(), message.len());
    if (stamp == 0) return;
    samples.push_back(now_ns() - stamp);
    sent_at.push_back(stamp);
  }
  // Touched only by the poller thread; sent_at[i] is when samples[i]'s message was sent.
  std::vector<int64_t> samples;
  std::vector<int64_t> sent_at;
  std::atomic<int64_t> failed{0};
};

// Tails every partition from offset 0 until told how many timed messages to
// expect and all of them (or a 30 s drain timeout) have arrived.
class Tail {
 public:
  Tail(const ProducerSettings& settings, const std::string& topic, int32_t partitions)
      : consumer_(make_consumer(settings.bootstrap, settings.security)),
        handle_(open_topic(consumer_.get(), topic)),
        queue_(RdKafka::Queue::create(consumer_.get())),
        partitions_(partitions) {
    for (int32_t p = 0; p < partitions; ++p) {
      auto err = consumer_->start(handle_.get(), p, RdKafka::Topic::OFFSET_BEGINNING, queue_.get());
      if (err != RdKafka::ERR_NO_ERROR) {
        throw std::runtime_error(fmt::format("start {}-{}: {}", topic, p, RdKafka::err2str(err)));
      }
    }
    thread_ = std::thread([this] { run(); });
  }
  ~Tail() {
    expect(0);
    if (thread_.joinable()) thread_.join();
    for (int32_t p = 0; p < partitions_; ++p) consumer_->stop(handle_.get(), p);
  }

  int64_t untimed_seen() const { return untimed_.load(); }
  void expect(int64_t timed) {
    expected_.store(timed);
    done_sending_.store(true);
  }
  // Joins the consumer thread and hands over its samples.
  std::vector<int64_t> finish() {
    thread_.join();
    return std::move(samples_);
  }

 private:
  void run() {
    Clock::time_point drain_deadline{};
    for (;;) {
      std::unique_ptr<RdKafka::Message> m(consumer_->consume(queue_.get(), 100));
      if (m->err() == RdKafka::ERR_NO_ERROR) {
        int64_t stamp = stamp_of(m->payload(), m->len());
        if (stamp == 0) {
          untimed_.fetch_add(1);
        } else {
          samples_.push_back(now_ns() - stamp);
        }
      }
      if (!done_sending_.load()) continue;
      if (static_cast<int64_t>(samples_.size()) >= expected_.load()) return;
      if (drain_deadline == Clock::time_point{}) {
        drain_deadline = Clock::now() + std::chrono::seconds(30);
      } else if (Clock::now() > drain_deadline) {
        fmt::print(stderr, "warning: consumer received {} of {} timed messages\n", samples_.size(),
                   expected_.load());
        return;
      }
    }
  }

  std::unique_ptr<RdKafka::Consumer> consumer_;
  std::unique_ptr<RdKafka::Topic> handle_;
  std::unique_ptr<RdKafka::Queue> queue_;
  int32_t partitions_;
  std::thread thread_;
  std::vector<int64_t> samples_;  // touched only by the consumer thread until finish()
  std::atomic<int64_t> untimed_{0};
  std::atomic<int64_t> expected_{0};
  std::atomic<bool> done_sending_{false};
};

// Serves delivery reports on its own thread for as long as it lives.
class Poller {
 public:
  explicit Poller(RdKafka::Producer* producer)
      : thread_([this, producer] {
          while (!stop_.load()) producer->poll(10);
        }) {}
  ~Poller() {
    stop_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Waits until librdkafka has nothing queued, in flight or undelivered.
bool wait_drained(RdKafka::Producer* producer, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (producer->outq_len() > 0) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Splits ack samples by the second (from `start_ns`) their message was sent in.
std::vector<LatencySlice> slice_by_second(const std::vector<int64_t>& samples,
                                          const std::vector<int64_t>& sent_at, int64_t start_ns) {
  std::vector<std::vector<int64_t>> seconds;
  for (size_t k = 0; k < samples.size(); ++k) {
    const auto second =
        static_cast<size_t>(std::max<int64_t>(0, sent_at[k] - start_ns) / 1'000'000'000);
    if (seconds.size() <= second) seconds.resize(second + 1);
    seconds[second].push_back(samples[k]);
  }
  std::vector<LatencySlice> slices;
  for (size_t second = 0; second < seconds.size(); ++second) {
    slices.push_back({static_cast<int64_t>(second), summarize(seconds[second])});
  }
  return slices;
}

}  // namespace

// One producer (one connection) of the run, with its own delivery reports.
struct Sender {
  AckLatencies acks;
  std::unique_ptr<RdKafka::Producer> producer;
  std::unique_ptr<RdKafka::Topic> handle;
  std::unique_ptr<Poller> poller;
};

LatencyResult run_latency(const ProducerSettings& settings, const std::string& topic,
                          int32_t partitions, double rate, double seconds,
                          const PayloadPool& payloads, int32_t producers) {
  std::vector<std::unique_ptr<Sender>> senders;
  for (int32_t n = 0; n < std::max(1, producers); ++n) {
    auto s = std::make_unique<Sender>();
    s->producer = make_producer(settings, &s->acks);
    if (n == 0) ensure_topic(s->producer.get(), topic, partitions);
    s->handle = open_topic(s->producer.get(), topic);
    s->poller = std::make_unique<Poller>(s->producer.get());
    senders.push_back(std::move(s));
  }
  Tail tail(settings, topic, partitions);

  std::vector<char> value(payloads.value_bytes());
  // Message i goes to partition i % partitions from producer (i / partitions) %
  // producers, so every producer writes to every partition.
  auto send = [&](int32_t partition, int64_t i, int64_t stamp) {
    std::memcpy(value.data(), payloads.value(static_cast<uint64_t>(i)), value.size());
    std::memcpy(value.data(), &stamp, sizeof stamp);
    Sender& s = *senders[static_cast<size_t>(i / partitions) % senders.size()];
    for (;;) {
      auto err = s.producer->produce(s.handle.get(), partition, RdKafka::Producer::RK_MSG_COPY,
                                     value.data(), value.size(), nullptr, nullptr);
      if (err == RdKafka::ERR_NO_ERROR) return;
      if (err != RdKafka::ERR__QUEUE_FULL) {
        throw std::runtime_error("produce: " + RdKafka::err2str(err));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  };

  // Warm-up: one untimed message per partition, acknowledged and consumed.
  for (int32_t p = 0; p < partitions; ++p) send(p, p, 0);
  for (auto& s : senders) wait_drained(s->producer.get(), std::chrono::seconds(30));
  const auto warm_deadline = Clock::now() + std::chrono::seconds(30);
  while (tail.untimed_seen() < partitions && Clock::now() < warm_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  LatencyResult r;
  r.target_rate = rate;
  const int64_t total = std::max<int64_t>(1, std::llround(rate * seconds));
  const double interval_ns = 1e9 / rate;
  const auto start = Clock::now();
  const int64_t start_ns = now_ns();
  int64_t i = 0;
  while (i < total) {
    const double elapsed_ns =
        std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    const int64_t due = std::min(total, static_cast<int64_t>(elapsed_ns / interval_ns) + 1);
    for (; i < due; ++i) send(static_cast<int32_t>(i % partitions), i, now_ns());
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<int64_t>(
                                              static_cast<double>(i) * interval_ns)));
  }
  const double send_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.sent = total;
  r.achieved_rate = static_cast<double>(total) / send_seconds;

  std::vector<int64_t> ack_samples;
  std::vector<int64_t> ack_sent_at;
  for (auto& s : senders) {
    if (!wait_drained(s->producer.get(), std::chrono::seconds(60))) {
      fmt::print(stderr, "warning: {} messages undelivered 60 s after the latency run\n",
                 s->producer->outq_len());
    }
    s->poller.reset();
    r.failed += s->acks.failed.load();
    ack_samples.insert(ack_samples.end(), s->acks.samples.begin(), s->acks.samples.end());
    ack_sent_at.insert(ack_sent_at.end(), s->acks.sent_at.begin(), s->acks.sent_at.end());
  }
  r.ack_by_second = slice_by_second(ack_samples, ack_sent_at, start_ns);
  tail.expect(total - r.failed);
  std::vector<int64_t> e2e = tail.finish();
  r.consumed = static_cast<int64_t>(e2e.size());
  r.ack = summarize(ack_samples);
  r.end_to_end = summarize(e2e);
  return r;
}

}  // namespace sluice::bench

// The event loop's pure parts: frame assembly from arbitrary byte arrivals (a
// size header never allocates its declared size), the worker pools' threads, and
// the listener and advertised-address rules.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <thread>

#include "broker/server/frame_reader.h"
#include "broker/server/listener_config.h"
#include "broker/server/worker_pool.h"

namespace sluice::broker {
namespace {

// Hands out queued chunks, at most `max_read` bytes per read, then "would block".
class ScriptedTransport final : public Transport {
 public:
  void arrive(const Bytes& bytes) { pending_.insert(pending_.end(), bytes.begin(), bytes.end()); }
  void close() { closed_ = true; }
  size_t max_read = SIZE_MAX;

  IoResult read(std::span<uint8_t> into) override {
    if (pending_.empty())
      return {closed_ ? IoResult::Kind::kClosed : IoResult::Kind::kWouldBlock, 0, 0};
    size_t n = std::min({into.size(), pending_.size(), max_read});
    std::copy_n(pending_.begin(), n, into.begin());
    pending_.erase(pending_.begin(), pending_.begin() + long(n));
    return {IoResult::Kind::kDone, n, 0};
  }
  IoResult write(std::span<const iovec>) override { return {IoResult::Kind::kError, 0, EPIPE}; }

 private:
  std::deque<uint8_t> pending_;
  bool closed_ = false;
};

Bytes framed(const Bytes& body) {
  Bytes out(4);
  store_be32(out.data(), uint32_t(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes body_of(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 7);
  return b;
}

TEST(FrameReader, AHeaderDeclaring100MiBHoldsOnlyWhatArrived) {
  ScriptedTransport t;
  FrameReader r(100 * 1024 * 1024);
  Bytes header(4);
  store_be32(header.data(), 100u * 1024 * 1024);
  t.arrive(header);
  t.arrive({0x00});
  EXPECT_EQ(r.read(t, SIZE_MAX), FrameReader::Status::kNeedMore);
  EXPECT_TRUE(r.in_progress());
  EXPECT_LE(r.held(), 64u * 1024);
}

TEST(FrameReader, AssemblesFramesWhateverTheChunkingAndBackToBack) {
  for (size_t chunk : {size_t(1), size_t(3), size_t(4096), SIZE_MAX}) {
    ScriptedTransport t;
    t.max_read = chunk;
    FrameReader r(1 << 20);
    const Bytes first = body_of(100'000), second = body_of(9);
    t.arrive(framed(first));
    t.arrive(framed(second));
    std::vector<Bytes> got;
    for (int spins = 0; got.size() < 2 && spins < 1'000'000; ++spins) {
      if (r.read(t, 1024) == FrameReader::Status::kFrame) got.push_back(r.take());
    }
    ASSERT_EQ(got.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(got[0], first);
    EXPECT_EQ(got[1], second);
    EXPECT_EQ(r.held(), 0u);
    EXPECT_FALSE(r.in_progress());
  }
}

TEST(FrameReader, RefusesSizesOutsideEightToTheMaximumBeforeAllocating) {
  for (int64_t size : {int64_t(-1), int64_t(7), int64_t(1025)}) {
    ScriptedTransport t;
    FrameReader r(1024);
    Bytes header(4);
    store_be32(header.data(), uint32_t(int32_t(size)));
    t.arrive(header);
    EXPECT_EQ(r.read(t, SIZE_MAX), FrameReader::Status::kBadSize) << size;
    EXPECT_EQ(r.bad_size(), size);
    EXPECT_EQ(r.held(), 0u);
  }
}

TEST(FrameReader, APeerClosingMidFrameIsClosed) {
  ScriptedTransport t;
  FrameReader r(1024);
  Bytes partial = framed(body_of(100));
  partial.resize(50);
  t.arrive(partial);
  t.close();
  EXPECT_EQ(r.read(t, SIZE_MAX), FrameReader::Status::kClosed);
}

TEST(WorkerPool, AFixedPoolKeepsItsThreadsAndRunsEveryTask) {
  std::atomic<int64_t> threads{0};
  std::atomic<int> ran{0};
  {
    WorkerPool pool({.fixed_threads = 3, .elastic = false, .idle_exit_ms = 10}, threads);
    EXPECT_EQ(threads.load(), 3);
    for (int i = 0; i < 100; ++i) pool.submit([&] { ++ran; });
    pool.stop();
    EXPECT_EQ(ran.load(), 100);
  }
  EXPECT_EQ(threads.load(), 0);
}

TEST(WorkerPool, AnElasticPoolGrowsForBlockedTasksAndShrinksWhenIdle) {
  std::atomic<int64_t> threads{0};
  WorkerPool pool({.fixed_threads = 0, .elastic = true, .idle_exit_ms = 50}, threads);
  EXPECT_EQ(threads.load(), 0);
  std::atomic<bool> release{false};
  std::atomic<int> started{0};
  for (int i = 0; i < 4; ++i) {
    pool.submit([&] {
      ++started;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  // Four tasks that block each other out only finish if each got a thread.
  for (int i = 0; i < 10'000 && started < 4; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(started.load(), 4);
  release = true;
  for (int i = 0; i < 10'000 && threads > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(threads.load(), 0);
}

TEST(Listeners, ParseKafkasListenerForm) {
  ListenerConfig l = parse_listener("INTERNAL=PLAINTEXT://10.0.0.5:9093");
  EXPECT_EQ(l.name, "INTERNAL");
  EXPECT_EQ(l.security_protocol, "PLAINTEXT");
  EXPECT_EQ(l.host, "10.0.0.5");
  EXPECT_EQ(l.port, 9093);
  EXPECT_THROW(parse_listener("PLAINTEXT://1.2.3.4:1"), std::invalid_argument);
  EXPECT_THROW(parse_listener("X=FOO://1.2.3.4:1"), std::invalid_argument);
  EXPECT_THROW(parse_listener("X=PLAINTEXT://1.2.3.4"), std::invalid_argument);
}

TEST(Listeners, EveryInterfaceNeedsAnAdvertisedAddressAndIsNeverAdvertised) {
  ListenerConfig wildcard;
  wildcard.host = "0.0.0.0";
  try {
    validate_listeners({wildcard});
    FAIL() << "0.0.0.0 without --advertise was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--advertise"), std::string::npos) << e.what();
  }
  wildcard.advertised_host = "0.0.0.0";
  EXPECT_THROW(validate_listeners({wildcard}), std::invalid_argument);
  wildcard.advertised_host = "broker.example";
  EXPECT_NO_THROW(validate_listeners({wildcard}));
  ListenerConfig twin = wildcard;
  EXPECT_THROW(validate_listeners({wildcard, twin}), std::invalid_argument);
  twin.name = "OTHER";
  twin.security_protocol = "TLS";  // not a Kafka protocol name: refused, never served in the clear
  EXPECT_THROW(validate_listeners({wildcard, twin}), std::invalid_argument);
  twin.security_protocol = "SSL";
  EXPECT_NO_THROW(validate_listeners({wildcard, twin}));
}

}  // namespace
}  // namespace sluice::broker

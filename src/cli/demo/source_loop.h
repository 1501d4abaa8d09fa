// What both demo sources (claims and IoT) need around their producer: Ctrl-C
// and SIGTERM taken by one thread, a manifest file of acknowledged events, and
// a steady rate.
#pragma once

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

namespace sluice::cli::demo {

// SIGINT/SIGTERM are blocked in every thread and taken by one waiter, which sets
// `stop`. Construct it before any other thread starts, so all inherit the mask.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  std::atomic<bool> stop{false};

 private:
  sigset_t set_;
  std::thread waiter_;
};

// --manifest: one line appended per acknowledged event; nothing without a path.
class Manifest {
 public:
  explicit Manifest(const std::string& path);  // throws naming the file
  ~Manifest();
  Manifest(const Manifest&) = delete;
  Manifest& operator=(const Manifest&) = delete;
  bool enabled() const { return file_ != nullptr; }
  void append(const std::string& line);
  void flush();

 private:
  std::FILE* file_ = nullptr;
};

// A delivery callback for EventProducer: a failure counts in `stats`, a
// success counts and appends the event's manifest line.
template <typename Stats>
auto count_and_record(Stats& stats, Manifest& manifest) {
  return [&stats, &manifest](const std::string& line, const std::string& error) {
    if (!error.empty()) return stats.failed(error);
    stats.delivered();
    manifest.append(line);
  };
}

// Once a second: a progress line on stderr (from `line()`) and the manifest flushed.
template <typename Line>
class ProgressTicker {
 public:
  ProgressTicker(Manifest& manifest, Line line) : manifest_(manifest), line_(std::move(line)) {}
  void operator()() {
    if (std::chrono::steady_clock::now() < next_) return;
    next_ += std::chrono::seconds(1);
    std::fprintf(stderr, "%s\n", line_().c_str());
    manifest_.flush();
  }

 private:
  Manifest& manifest_;
  Line line_;
  std::chrono::steady_clock::time_point next_ =
      std::chrono::steady_clock::now() + std::chrono::seconds(1);
};

// Event n is due at start + n / rate, give or take a millisecond: events less
// than kSlack ahead of time go at once, so a fast source sleeps once per
// millisecond's worth of events rather than once per event (at 50,000/s a sleep
// of 20 µs is a context switch that costs more than the event, and the kernel's
// timer slack makes it 50 µs anyway).
class Pacer {
 public:
  explicit Pacer(double rate) : start_(Clock::now()), interval_(1.0 / rate) {}
  // Waits until event `n` is due, calling `idle` at least every 50 ms meanwhile;
  // false if `stop` was set first.
  template <typename Idle>
  bool wait_for(int64_t n, const std::atomic<bool>& stop, Idle&& idle) {
    const auto due = start_ + std::chrono::duration_cast<Clock::duration>(interval_ * double(n));
    if (Clock::now() + kSlack >= due) return !stop;
    while (!stop && Clock::now() < due) {
      idle();
      std::this_thread::sleep_for(
          std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(50)));
    }
    return !stop;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kSlack{1};
  Clock::time_point start_;
  std::chrono::duration<double> interval_;
};

}  // namespace sluice::cli::demo

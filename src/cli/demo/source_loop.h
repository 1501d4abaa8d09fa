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

// Event n is due at start + n / rate.
class Pacer {
 public:
  explicit Pacer(double rate) : start_(Clock::now()), interval_(1.0 / rate) {}
  // Waits until event `n` is due, calling `idle` at least every 50 ms meanwhile;
  // false if `stop` was set first.
  template <typename Idle>
  bool wait_for(int64_t n, const std::atomic<bool>& stop, Idle&& idle) {
    const auto due = start_ + std::chrono::duration_cast<Clock::duration>(interval_ * double(n));
    while (!stop && Clock::now() < due) {
      idle();
      std::this_thread::sleep_for(
          std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(50)));
    }
    return !stop;
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
  std::chrono::duration<double> interval_;
};

}  // namespace sluice::cli::demo

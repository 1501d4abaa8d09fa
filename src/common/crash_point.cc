#include "common/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace sluice {
namespace {

constexpr const char* kVariable = "SLUICE_CRASH_AT";

// write(2) straight to stderr: the process is about to die or has not started
// yet, so nothing may depend on buffers, locks or the logger being set up.
void say(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(size_t(n));
  }
}

CrashPlan* read_plan() {
  const char* spec = std::getenv(kVariable);
  if (spec == nullptr || *spec == '\0') return nullptr;
  try {
    return new CrashPlan(spec);  // lives as long as the process: crash points may run at exit
  } catch (const std::invalid_argument& e) {
    say(std::string(e.what()) + "; no crash point is armed\n");
    return nullptr;
  }
}

}  // namespace

CrashPlan::CrashPlan(std::string_view spec) {
  const size_t colon = spec.rfind(':');
  point_ = std::string(spec.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view count = spec.substr(colon + 1);
    const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), nth_);
    if (error != std::errc() || end != count.data() + count.size() || nth_ < 1) nth_ = 0;
  }
  if (point_.empty() || nth_ < 1) {
    throw std::invalid_argument(std::string(kVariable) + "='" + std::string(spec) +
                                "': expected NAME or NAME:N with N >= 1");
  }
}

bool CrashPlan::hit(std::string_view point) {
  if (point != point_) return false;
  return hits_.fetch_add(1, std::memory_order_relaxed) + 1 == nth_;
}

namespace crash_detail {

CrashPlan* const plan = read_plan();

void reached(CrashPlan& crash_plan, std::string_view point) {
  if (!crash_plan.hit(point)) return;
  say(std::string("crash point ") + std::string(point) + " reached (" + kVariable + "): SIGKILL\n");
  ::kill(::getpid(), SIGKILL);
  std::abort();  // not reached: SIGKILL cannot be caught or blocked
}

}  // namespace crash_detail
}  // namespace sluice

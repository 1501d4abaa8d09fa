#include "stages/fault_injector/fault_injector.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;
using pipeline::Outcome;

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// The N of "flaky:N:..." or "sleep:N:...".
int number_after(const std::string& value, size_t at) {
  try {
    return std::stoi(value.substr(at));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

FaultInjector::FaultInjector(const pipeline::ProcessorContext& context)
    : passthrough_(context.outputs),
      down_file_(pipeline::resolve_option_path(
          context, context.options["dependency_down_file"].as<std::string>(""))),
      dependency_(context.options["dependency"].as<std::string>("downstream")) {}

int FaultInjector::attempt_of(const pipeline::Record& record) {
  std::lock_guard lock(mu_);
  return ++attempts_[record.trace_id];
}

Outcome FaultInjector::process(const pipeline::Record& record) {
  const std::string& v = record.value;
  if (!down_file_.empty() && std::filesystem::exists(down_file_)) {
    return Outcome::failure(ErrorCategory::kTransient, dependency_ + " is unavailable",
                            dependency_);
  }
  if (starts_with(v, "poison"))
    return Outcome::failure(ErrorCategory::kValidation, "value is not valid: poison");
  if (starts_with(v, "permanent"))
    return Outcome::failure(ErrorCategory::kPermanent, "cannot ever process this value");
  if (starts_with(v, "always-failing")) {
    return Outcome::failure(ErrorCategory::kTransient, "dependency keeps failing for this record",
                            dependency_);
  }
  if (starts_with(v, "throw")) throw std::runtime_error("fault-injector was asked to throw");
  if (starts_with(v, "slow-failing:")) {  // a dependency that hangs, then times out
    std::this_thread::sleep_for(std::chrono::milliseconds(number_after(v, 13)));
    return Outcome::failure(ErrorCategory::kTimeout, "dependency timed out", dependency_);
  }
  if (starts_with(v, "flaky:") && attempt_of(record) <= number_after(v, 6)) {
    return Outcome::failure(ErrorCategory::kTransient, "flaky failure", dependency_);
  }
  // The sleep stands for optional enrichment: a degraded stage (high lag) skips it.
  if (starts_with(v, "sleep:") && !record.degraded) {
    std::this_thread::sleep_for(std::chrono::milliseconds(number_after(v, 6)));
  }
  return passthrough_.process(record);
}

}  // namespace sluice::stages

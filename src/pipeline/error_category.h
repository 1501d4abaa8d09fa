// Why a record failed. The category alone decides what the runtime does next
// (see RetryPolicy), labels kafka_processing_errors_total{category} and is
// written to the DLQ's error header, so the names below are a stable contract.
#pragma once

#include <optional>
#include <string_view>

namespace sluice::pipeline {

enum class ErrorCategory { kValidation, kTransient, kTimeout, kPermanent, kCircuitOpen };

inline constexpr ErrorCategory kAllErrorCategories[] = {
    ErrorCategory::kValidation, ErrorCategory::kTransient, ErrorCategory::kTimeout,
    ErrorCategory::kPermanent, ErrorCategory::kCircuitOpen};

inline const char* category_name(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kValidation:
      return "validation";
    case ErrorCategory::kTransient:
      return "transient";
    case ErrorCategory::kTimeout:
      return "timeout";
    case ErrorCategory::kPermanent:
      return "permanent";
    case ErrorCategory::kCircuitOpen:
      return "circuit_open";
  }
  return "unknown";
}

// The inverse of category_name(); nullopt for anything else (names are exact).
inline std::optional<ErrorCategory> parse_category(std::string_view name) {
  for (ErrorCategory c : kAllErrorCategories) {
    if (name == category_name(c)) return c;
  }
  return std::nullopt;
}

}  // namespace sluice::pipeline

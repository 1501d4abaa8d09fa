#include "stages/window_aggregate/event_time.h"

#include <charconv>

namespace sluice::stages {

std::optional<int64_t> parse_epoch_ms_text(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace sluice::stages

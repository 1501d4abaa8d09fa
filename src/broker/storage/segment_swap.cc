#include "broker/storage/segment_swap.h"

#include <optional>
#include <vector>

#include "broker/storage/durable_file.h"
#include "broker/storage/segment.h"
#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

constexpr std::string_view kCleaningPrefix = ".cleaning-";
constexpr std::string_view kSwapPrefix = ".swap-";
// A segment's files, the log last: while a swap folder holds its log file, the
// partition folder has not received it yet.
constexpr const char* kExtensions[] = {".index", ".timeindex", ".log"};

// "00000000000000000042" -> 42; nullopt unless exactly 20 digits.
std::optional<int64_t> parse_offset(std::string_view digits) {
  if (digits.size() != 20) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

void rename_or_throw(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (ec) throw_storage_error("cannot rename " + from.string() + " to", to, ec.value());
}

// Removes every segment file of the partition folder whose base offset is in [base, end).
void remove_segment_files(const std::filesystem::path& log_dir, int64_t base, int64_t end) {
  for (const auto& entry : std::filesystem::directory_iterator(log_dir)) {
    const auto& p = entry.path();
    auto offset = parse_offset(p.stem().string());
    if (!entry.is_regular_file() || !offset || *offset < base || *offset >= end) continue;
    std::error_code ec;
    std::filesystem::remove(p, ec);
    if (ec) throw_storage_error("cannot remove the replaced segment file", p, ec.value());
  }
}

}  // namespace

std::filesystem::path cleaning_dir(const std::filesystem::path& log_dir, int64_t base) {
  return log_dir / (std::string(kCleaningPrefix) + segment_name(base));
}

std::filesystem::path commit_swap(const std::filesystem::path& log_dir, int64_t base, int64_t end) {
  auto swap = log_dir / (std::string(kSwapPrefix) + segment_name(base) + "-" + segment_name(end));
  rename_or_throw(cleaning_dir(log_dir, base), swap);
  sync_directory(log_dir);
  return swap;
}

void install_swap(const std::filesystem::path& swap_dir, const std::filesystem::path& log_dir) {
  const std::string base = swap_dir.filename().string().substr(kSwapPrefix.size(), 20);
  for (const char* ext : kExtensions) {
    auto from = swap_dir / (base + ext);
    if (std::filesystem::exists(from)) rename_or_throw(from, log_dir / (base + ext));
  }
  sync_directory(log_dir);
  std::error_code ec;
  std::filesystem::remove_all(swap_dir, ec);
  if (ec) log::warn("storage", "cannot remove {}: {}", swap_dir.string(), ec.message());
}

void recover_segment_swaps(const std::filesystem::path& log_dir) {
  std::vector<std::filesystem::path> cleaning, swaps;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(kCleaningPrefix)) cleaning.push_back(entry.path());
    if (name.starts_with(kSwapPrefix)) swaps.push_back(entry.path());
  }
  for (const auto& dir : cleaning) {
    log::info("storage", "removing {}: a clean interrupted before it committed", dir.string());
    std::filesystem::remove_all(dir);
  }
  for (const auto& dir : swaps) {
    // .swap-BASE-END: two 20-digit offsets.
    const std::string name = dir.filename().string().substr(kSwapPrefix.size());
    auto base = parse_offset(std::string_view(name).substr(0, 20));
    auto end = name.size() == 41 ? parse_offset(std::string_view(name).substr(21)) : std::nullopt;
    if (!base || !end) {
      log::warn("storage", "ignoring {}: not named .swap-BASE-END", dir.string());
      continue;
    }
    log::info("storage", "completing the interrupted replacement of segments [{}, {}) in {}", *base,
              *end, log_dir.string());
    if (std::filesystem::exists(dir / (segment_name(*base) + ".log")))
      remove_segment_files(log_dir, *base, *end);
    install_swap(dir, log_dir);
  }
  if (!cleaning.empty() || !swaps.empty()) sync_directory(log_dir);
}

}  // namespace sluice::broker

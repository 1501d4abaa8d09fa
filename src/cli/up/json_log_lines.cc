#include "cli/up/json_log_lines.h"

#include <simdjson.h>
#include <unistd.h>

#include "common/log.h"

namespace sluice::cli {
namespace {

bool is_log_object(std::string_view line) {
  if (line.empty() || line.front() != '{') return false;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::string_view ts;
  return !parser.parse(line.data(), line.size()).get(object) && !object["ts"].get(ts);
}

}  // namespace

std::string JsonLogLines::normalize(std::string_view line) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (is_log_object(line)) return std::string(line) + "\n";
  log::Fields fields = {{"process", process_}};
  if (!stage_.empty()) fields.emplace_back("stage", stage_);
  return log::json_line(log::Level::kInfo, process_, line, fields);
}

void JsonLogLines::emit(std::string_view line) {
  const std::string out = normalize(line);
  (void)!::write(fd_, out.data(), out.size());
}

void JsonLogLines::feed(int stream, std::string_view bytes) {
  std::string& pending = pending_[stream];
  pending.append(bytes);
  size_t start = 0;
  for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
    if (nl > start) emit(std::string_view(pending).substr(start, nl - start));
  }
  pending.erase(0, start);
}

void JsonLogLines::finish() {
  for (auto& pending : pending_) {
    if (!pending.empty()) emit(pending);
    pending.clear();
  }
}

}  // namespace sluice::cli

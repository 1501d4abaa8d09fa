#include "lake/store/key_rules.h"

#include "lake/store/object_store.h"

namespace sluice::lake {
namespace {

// Empty when `path` is fine, otherwise why it is not.
std::string problem(std::string_view path, bool allow_trailing_slash) {
  if (path.find('\0') != std::string_view::npos) return "contains a NUL byte";
  if (path.front() == '/') return "is absolute (starts with '/')";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    const bool last = end == path.size();
    if (segment.empty() && !(last && allow_trailing_slash)) return "has an empty segment ('//')";
    if (segment == "." || segment == "..") return "has a '" + std::string(segment) + "' segment";
    if (segment.substr(0, kTempPrefix.size()) == kTempPrefix)
      return "has a segment starting with '" + std::string(kTempPrefix) + "' (reserved)";
    start = end + 1;
  }
  return "";
}

[[noreturn]] void reject(std::string_view store_url, std::string_view what, const std::string& key,
                         const std::string& why) {
  throw StoreError(std::string(store_url) + ": invalid object " + std::string(what) + " '" + key +
                   "': it " + why +
                   "; keys are relative paths like 'dir/name' without empty, '.' or '..' segments");
}

}  // namespace

void check_key(std::string_view store_url, const std::string& key) {
  if (key.empty()) reject(store_url, "key", key, "is empty");
  if (key.back() == '/') reject(store_url, "key", key, "ends with '/'");
  if (std::string why = problem(key, false); !why.empty()) reject(store_url, "key", key, why);
}

// Only the whole segments (up to the last '/') are checked: the partial last one
// just filters names, so "dir/.h" may match "dir/.hidden".
void check_prefix(std::string_view store_url, const std::string& prefix) {
  const size_t slash = prefix.rfind('/');
  if (slash == std::string::npos) return;
  if (std::string why = problem(std::string_view(prefix).substr(0, slash + 1), true); !why.empty())
    reject(store_url, "prefix", prefix, why);
}

}  // namespace sluice::lake

#include "stages/download/download_host_allowlist.h"

#include <algorithm>
#include <cctype>

namespace sluice::stages {

std::string normalise_host(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return host;
}

HostAllowlist::HostAllowlist(const std::vector<std::string>& entries) {
  for (const auto& e : entries) entries_.push_back(normalise_host(e));
}

bool HostAllowlist::allows(const std::string& raw_host) const {
  if (entries_.empty()) return true;
  const std::string host = normalise_host(raw_host);
  for (const auto& e : entries_) {
    if (e == host) return true;
    // ".example.com" is a suffix rule; comparing with the dot included means
    // "badexample.com" can never match it.
    if (e.size() > 1 && e.front() == '.' && host.size() > e.size() &&
        host.compare(host.size() - e.size(), e.size(), e) == 0)
      return true;
  }
  return false;
}

}  // namespace sluice::stages

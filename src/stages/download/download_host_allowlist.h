// Which hosts a download may reach by name (the `allowed_domains` option).
// An entry "example.com" matches that host exactly; ".example.com" matches any
// host under it (a.example.com, a.b.example.com) but not example.com itself,
// so a list can say precisely which it means. Matching is case-insensitive and
// ignores a trailing dot. Invariant: an empty list allows every host; a host
// that is an IP literal matches only an entry spelling that same address.
// This is the policy on names; the address check runs after it regardless.
#pragma once

#include <string>
#include <vector>

namespace sluice::stages {

class HostAllowlist {
 public:
  HostAllowlist() = default;
  explicit HostAllowlist(const std::vector<std::string>& entries);

  bool allows(const std::string& host) const;
  bool empty() const { return entries_.empty(); }
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  std::vector<std::string> entries_;  // normalised: lower-case, no trailing dot
};

// Lower-cased, trailing dots removed.
std::string normalise_host(std::string host);

}  // namespace sluice::stages

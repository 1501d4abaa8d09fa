#include "stages/download/download_ssrf_guard.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

namespace sluice::stages {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

}  // namespace

VettedHost vet_host(const std::string& host, const AddressPolicy& policy) {
  VettedHost v;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  // getaddrinfo also turns odd numeric spellings (2130706433, 0x7f.1, 017700000001)
  // into the address they mean, so those are judged by value, not by spelling.
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
  if (rc != 0) {
    const bool temporary = rc == EAI_AGAIN || rc == EAI_SYSTEM || rc == EAI_MEMORY;
    v.kind = temporary ? VettedHost::kDnsUnavailable : VettedHost::kUnknownHost;
    v.error = "cannot resolve host " + host + ": " + gai_strerror(rc);
    return v;
  }
  for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    auto ip = from_sockaddr(a->ai_addr);
    if (!ip) continue;
    if (auto why = refusal_reason(*ip, policy)) {
      v.kind = VettedHost::kRefused;
      v.addresses.clear();
      v.error = "host " + host + " resolves to " + *why +
                ", which downloads may not reach (SSRF guard; allow it with allowed_addresses or "
                "allow_private_networks if it is meant to be reachable)";
      return v;
    }
    if (std::find(v.addresses.begin(), v.addresses.end(), *ip) == v.addresses.end())
      v.addresses.push_back(*ip);
  }
  if (v.addresses.empty()) {
    v.kind = VettedHost::kUnknownHost;
    v.error = "host " + host + " has no IPv4 or IPv6 address";
  }
  return v;
}

bool socket_address_allowed(const sockaddr* sa, const std::vector<IpAddress>& vetted,
                            const AddressPolicy& policy) {
  auto ip = from_sockaddr(sa);
  if (!ip) return false;
  return std::find(vetted.begin(), vetted.end(), *ip) != vetted.end() &&
         !refusal_reason(*ip, policy);
}

}  // namespace sluice::stages

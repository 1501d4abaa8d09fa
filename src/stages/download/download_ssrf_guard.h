// Resolving a download's host ourselves, before curl sees it, so the address
// check judges exactly the addresses curl will be pinned to.
//
// Invariant: vet_host() returns addresses only when EVERY address the host
// resolves to passes the AddressPolicy — a name with one public and one
// private record is refused, since which one a client would use is the
// attacker's choice. The transfer then connects only to these addresses
// (CURLOPT_RESOLVE), and its socket callback re-checks each connect against
// them, so a DNS answer that changes in between (rebinding) cannot redirect it.
#pragma once

#include <string>
#include <vector>

#include "stages/download/download_address_policy.h"

namespace sluice::stages {

struct VettedHost {
  enum Kind { kOk, kRefused, kUnknownHost, kDnsUnavailable };
  Kind kind = kOk;
  std::vector<IpAddress> addresses;  // kOk: every resolved address, all allowed
  std::string error;                 // otherwise: what happened, naming host and address
};

VettedHost vet_host(const std::string& host, const AddressPolicy& policy);

// True when `sa` is one of `vetted` and still passes `policy` (the socket-level re-check).
bool socket_address_allowed(const struct sockaddr* sa, const std::vector<IpAddress>& vetted,
                            const AddressPolicy& policy);

}  // namespace sluice::stages

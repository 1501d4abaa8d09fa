// Which network addresses the download stage may connect to (its SSRF guard's
// core). A task's URL comes from outside, so without this check anyone who can
// write a task could make the stage fetch the cloud metadata service
// (169.254.169.254), an internal admin page or a loopback port for them.
//
// Invariant: refusal_reason() returns a reason for every address that is not
// a public unicast address — loopback, private, link-local, unspecified,
// CGNAT, multicast, broadcast, reserved, documentation — in IPv4, IPv6 and
// every IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64,
// 6to4), unless the address is inside an `allowed_addresses` CIDR, or
// allow_private_networks is set and the class is one a private deployment
// legitimately serves from (loopback, private, link-local other than the
// metadata address, CGNAT). Unspecified, multicast, broadcast and reserved
// addresses are only ever allowed by an explicit CIDR: "0.0.0.0" reaches
// localhost on Linux, and none of them is a web server.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::stages {

// An IP address in one shape: 16 bytes, IPv4 held as ::ffff:a.b.c.d, so one
// comparison covers both families and an IPv4-mapped IPv6 address can never
// slip past an IPv4 rule.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool is_v4() const;  // stored as ::ffff:a.b.c.d
  std::string str() const;
  bool operator==(const IpAddress& o) const { return bytes == o.bytes; }
};

std::optional<IpAddress> parse_ip(const std::string& text);  // strict numeric form
std::optional<IpAddress> from_sockaddr(const sockaddr* sa);

struct Cidr {
  IpAddress base;
  int prefix = 128;  // in bits of the 16-byte form (an IPv4 /n is 96 + n)
  bool contains(const IpAddress& a) const;
};

// "10.0.0.0/8", "fc00::/7", "127.0.0.1" (a single address); nullopt if malformed.
std::optional<Cidr> parse_cidr(const std::string& text);

struct AddressPolicy {
  bool allow_private_networks = false;
  std::vector<Cidr> allowed;  // always allowed, whatever their class
};

// Why `a` is refused ("loopback 127.0.0.1", ...), or nullopt when it may be used.
std::optional<std::string> refusal_reason(const IpAddress& a, const AddressPolicy& policy);

// The class of a non-public address ("private", "loopback", ...), nullopt for public unicast.
std::optional<std::string> special_class(const IpAddress& a);

}  // namespace sluice::stages

#include "stages/download/download_address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace sluice::stages {
namespace {

constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// A non-public class, and whether allow_private_networks may open it.
struct Special {
  std::string name;
  bool private_network;  // a deployment may legitimately serve from it
};

IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress ip;
  std::memcpy(ip.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size());
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

bool in_v4(const IpAddress& a, uint8_t b0, uint8_t b1, int bits) {
  return Cidr{v4(b0, b1, 0, 0), 96 + bits}.contains(a);
}

std::optional<Special> classify_v4(const IpAddress& a) {
  const auto& b = a.bytes;
  if (a == v4(169, 254, 169, 254)) return Special{"cloud metadata address (link-local)", false};
  if (a == v4(255, 255, 255, 255)) return Special{"broadcast", false};
  if (in_v4(a, 0, 0, 8)) return Special{"unspecified (0.0.0.0/8)", false};
  if (in_v4(a, 127, 0, 8)) return Special{"loopback (127.0.0.0/8)", true};
  if (in_v4(a, 10, 0, 8)) return Special{"private (10.0.0.0/8)", true};
  if (in_v4(a, 172, 16, 12)) return Special{"private (172.16.0.0/12)", true};
  if (in_v4(a, 192, 168, 16)) return Special{"private (192.168.0.0/16)", true};
  if (in_v4(a, 169, 254, 16)) return Special{"link-local (169.254.0.0/16)", true};
  if (in_v4(a, 100, 64, 10)) return Special{"carrier-grade NAT (100.64.0.0/10)", true};
  if (in_v4(a, 224, 0, 4)) return Special{"multicast (224.0.0.0/4)", false};
  if (in_v4(a, 240, 0, 4)) return Special{"reserved (240.0.0.0/4)", false};
  if (in_v4(a, 198, 18, 15)) return Special{"benchmarking (198.18.0.0/15)", false};
  if (b[12] == 192 && b[13] == 0 && (b[14] == 0 || b[14] == 2))
    return Special{b[14] == 0 ? "IETF protocol assignments (192.0.0.0/24)" : "documentation",
                   false};
  if ((b[12] == 198 && b[13] == 51 && b[14] == 100) || (b[12] == 203 && b[13] == 0 && b[14] == 113))
    return Special{"documentation", false};
  return std::nullopt;
}

bool starts(const IpAddress& a, std::initializer_list<uint8_t> prefix) {
  size_t i = 0;
  for (uint8_t p : prefix)
    if (a.bytes[i++] != p) return false;
  return true;
}

bool zero_through(const IpAddress& a, size_t end) {
  for (size_t i = 0; i < end; ++i)
    if (a.bytes[i] != 0) return false;
  return true;
}

// The IPv4 address an IPv6 form carries inside it, tagged with the form's name.
std::optional<std::pair<IpAddress, const char*>> embedded_v4(const IpAddress& a) {
  auto tail = [&](size_t at) {
    return v4(a.bytes[at], a.bytes[at + 1], a.bytes[at + 2], a.bytes[at + 3]);
  };
  if (starts(a, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}))
    return std::pair{tail(12), "NAT64 (64:ff9b::/96)"};
  if (starts(a, {0x20, 0x02})) return std::pair{tail(2), "6to4 (2002::/16)"};
  return std::nullopt;
}

std::optional<Special> classify_v6(const IpAddress& a) {
  if (zero_through(a, 16)) return Special{"unspecified (::)", false};
  if (zero_through(a, 15) && a.bytes[15] == 1) return Special{"loopback (::1)", true};
  // Deprecated ::a.b.c.d; never a real destination, and a way to dress up 127.0.0.1.
  if (zero_through(a, 12)) return Special{"IPv4-compatible (::/96)", false};
  if (auto e = embedded_v4(a)) {
    if (auto s = classify_v4(e->first))
      return Special{s->name + " inside " + e->second + " " + a.str(), s->private_network};
    return std::nullopt;
  }
  const uint8_t b0 = a.bytes[0], b1 = a.bytes[1];
  if (a == *parse_ip("fd00:ec2::254"))
    return Special{"cloud metadata address (fd00:ec2::254)", false};
  if ((b0 & 0xfe) == 0xfc) return Special{"private (unique local fc00::/7)", true};
  if (b0 == 0xfe && (b1 & 0xc0) == 0x80) return Special{"link-local (fe80::/10)", true};
  if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) return Special{"site-local (fec0::/10)", true};
  if (b0 == 0xff) return Special{"multicast (ff00::/8)", false};
  if (starts(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}))
    return Special{"local-use NAT64 (64:ff9b:1::/48)", true};
  if (starts(a, {0x01, 0x00, 0, 0, 0, 0, 0, 0})) return Special{"discard (100::/64)", false};
  if (starts(a, {0x20, 0x01, 0x0d, 0xb8})) return Special{"documentation (2001:db8::/32)", false};
  if (starts(a, {0x20, 0x01, 0x00, 0x00})) return Special{"Teredo (2001::/32)", false};
  if ((b0 & 0xe0) != 0x20) return Special{"reserved (outside global unicast 2000::/3)", false};
  return std::nullopt;
}

std::optional<Special> classify(const IpAddress& a) {
  return a.is_v4() ? classify_v4(a) : classify_v6(a);
}

}  // namespace

bool IpAddress::is_v4() const {
  return std::memcmp(bytes.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<IpAddress> parse_ip(const std::string& text) {
  IpAddress ip;
  in_addr a4;
  // inet_pton accepts only the dotted-quad form; odd spellings (0x7f.1, 2130706433)
  // are the resolver's job, and its answer is checked in this canonical form.
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    std::memcpy(ip.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size());
    std::memcpy(ip.bytes.data() + 12, &a4, 4);
    return ip;
  }
  if (inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

std::optional<IpAddress> from_sockaddr(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  IpAddress ip;
  if (sa->sa_family == AF_INET) {
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(sa);
    std::memcpy(ip.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size());
    std::memcpy(ip.bytes.data() + 12, &s4->sin_addr, 4);
    return ip;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
    std::memcpy(ip.bytes.data(), &s6->sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

bool Cidr::contains(const IpAddress& a) const {
  int bits = prefix;
  for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

std::optional<Cidr> parse_cidr(const std::string& text) {
  const size_t slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const int width = ip->is_v4() ? 32 : 128;
  int bits = width;
  if (slash != std::string::npos) {
    const std::string n = text.substr(slash + 1);
    if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    bits = std::stoi(n);
    if (bits > width) return std::nullopt;
  }
  return Cidr{*ip, bits + (128 - width)};
}

std::optional<std::string> special_class(const IpAddress& a) {
  if (auto s = classify(a)) return s->name;
  return std::nullopt;
}

std::optional<std::string> refusal_reason(const IpAddress& a, const AddressPolicy& policy) {
  for (const Cidr& c : policy.allowed)
    if (c.contains(a)) return std::nullopt;
  auto s = classify(a);
  if (!s || (s->private_network && policy.allow_private_networks)) return std::nullopt;
  return s->name + " address " + a.str();
}

}  // namespace sluice::stages

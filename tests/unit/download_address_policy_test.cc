// The SSRF guard's address classifier and resolver: every refused range, in
// IPv4, IPv6 and the IPv6 forms that embed IPv4, and the two ways to open it.
#include "stages/download/download_address_policy.h"

#include <gtest/gtest.h>

#include "stages/download/download_ssrf_guard.h"

namespace sluice::stages {
namespace {

std::optional<std::string> refused(const std::string& ip, const AddressPolicy& policy = {}) {
  auto a = parse_ip(ip);
  EXPECT_TRUE(a.has_value()) << ip;
  return a ? refusal_reason(*a, policy) : std::optional<std::string>("unparsable");
}

TEST(DownloadAddressPolicy, RefusesEverySpecialIpv4Range) {
  for (const char* ip : {"127.0.0.1",       "127.255.255.254", "10.0.0.1",    "10.255.255.255",
                         "172.16.0.1",      "172.31.255.255",  "192.168.0.1", "192.168.255.255",
                         "169.254.0.1",     "169.254.169.254", "0.0.0.0",     "0.1.2.3",
                         "100.64.0.1",      "100.127.255.255", "224.0.0.1",   "239.255.255.255",
                         "255.255.255.255", "240.0.0.1",       "192.0.2.1",   "198.51.100.1",
                         "203.0.113.1",     "198.18.0.1",      "192.0.0.8"}) {
    EXPECT_TRUE(refused(ip)) << ip;
  }
}

TEST(DownloadAddressPolicy, AllowsPublicIpv4IncludingRangeEdges) {
  for (const char* ip :
       {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0",
        "11.0.0.0", "169.253.255.255", "192.169.0.0", "223.255.255.255", "126.255.255.255"}) {
    EXPECT_FALSE(refused(ip)) << ip << ": " << refused(ip).value_or("");
  }
}

TEST(DownloadAddressPolicy, RefusesSpecialIpv6) {
  for (const char* ip :
       {"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1",
        "2001:db8::1", "100::1", "fd00:ec2::254", "::2", "2001::1", "64:ff9b:1::1"}) {
    EXPECT_TRUE(refused(ip)) << ip;
  }
  EXPECT_FALSE(refused("2606:4700:4700::1111"));
  EXPECT_FALSE(refused("2a00:1450:4001:80b::200e"));
}

TEST(DownloadAddressPolicy, RefusesIpv4HiddenInIpv6Forms) {
  for (const char* ip :
       {"::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "::ffff:0.0.0.0", "::127.0.0.1", "64:ff9b::a00:1", "64:ff9b::127.0.0.1", "2002:7f00:1::1",
        "2002:a9fe:a9fe::1"}) {
    EXPECT_TRUE(refused(ip)) << ip;
  }
  EXPECT_FALSE(refused("::ffff:8.8.8.8"));
  EXPECT_FALSE(refused("64:ff9b::808:808"));
  EXPECT_FALSE(refused("2002:808:808::1"));
}

TEST(DownloadAddressPolicy, ReasonNamesTheClassAndAddress) {
  EXPECT_EQ(refused("169.254.169.254").value(),
            "cloud metadata address (link-local) address 169.254.169.254");
  EXPECT_NE(refused("10.1.2.3").value().find("private"), std::string::npos);
  EXPECT_NE(refused("::ffff:127.0.0.1").value().find("loopback"), std::string::npos);
}

TEST(DownloadAddressPolicy, AllowPrivateNetworksOpensOnlyPrivateClasses) {
  AddressPolicy p;
  p.allow_private_networks = true;
  for (const char* ip : {"127.0.0.1", "10.0.0.1", "192.168.1.1", "172.16.0.1", "100.64.0.1",
                         "169.254.1.1", "::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(refused(ip, p)) << ip;
  }
  for (const char* ip :
       {"169.254.169.254", "0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "ff02::1"}) {
    EXPECT_TRUE(refused(ip, p)) << ip;
  }
}

TEST(DownloadAddressPolicy, AllowedCidrsOpenExactlyTheirRange) {
  AddressPolicy p;
  p.allowed.push_back(*parse_cidr("127.0.0.1/32"));
  p.allowed.push_back(*parse_cidr("fd00:1::/32"));
  EXPECT_FALSE(refused("127.0.0.1", p));
  EXPECT_FALSE(refused("::ffff:127.0.0.1", p)) << "the mapped form is the same address";
  EXPECT_TRUE(refused("127.0.0.2", p));
  EXPECT_TRUE(refused("10.0.0.1", p));
  EXPECT_TRUE(refused("169.254.169.254", p));
  EXPECT_FALSE(refused("fd00:1:ffff::1", p));
  EXPECT_TRUE(refused("fd00:2::1", p));
}

TEST(DownloadAddressPolicy, ParsesCidrs) {
  EXPECT_TRUE(parse_cidr("10.0.0.0/8"));
  EXPECT_TRUE(parse_cidr("127.0.0.1"));
  EXPECT_TRUE(parse_cidr("::1/128"));
  EXPECT_TRUE(parse_cidr("fc00::/7"));
  EXPECT_TRUE(parse_cidr("0.0.0.0/0"));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x",
                          "example.com", "", "10.0.0.0/-1", "0x7f.1"}) {
    EXPECT_FALSE(parse_cidr(bad)) << bad;
  }
  auto c = parse_cidr("10.0.0.0/8");
  EXPECT_TRUE(c->contains(*parse_ip("10.200.1.1")));
  EXPECT_FALSE(c->contains(*parse_ip("11.0.0.1")));
}

TEST(DownloadSsrfGuard, ResolvesOddNumericSpellingsToWhatTheyMean) {
  for (const char* host :
       {"2130706433", "0x7f.1", "0x7f000001", "017700000001", "127.1", "127.0.0.1", "::1",
        "::ffff:127.0.0.1", "0", "0.0.0.0", "169.254.169.254", "0xa9fea9fe", "localhost"}) {
    VettedHost v = vet_host(host, {});
    EXPECT_EQ(v.kind, VettedHost::kRefused) << host << ": " << v.error;
    EXPECT_NE(v.error.find(host), std::string::npos) << "the message names the host";
  }
}

TEST(DownloadSsrfGuard, AllowedLoopbackResolvesAndPinsAddresses) {
  AddressPolicy p;
  p.allowed.push_back(*parse_cidr("127.0.0.1/32"));
  VettedHost v = vet_host("127.0.0.1", p);
  ASSERT_EQ(v.kind, VettedHost::kOk) << v.error;
  ASSERT_EQ(v.addresses.size(), 1u);
  EXPECT_EQ(v.addresses[0].str(), "127.0.0.1");
  EXPECT_EQ(vet_host("2130706433", p).kind, VettedHost::kOk);
}

TEST(DownloadSsrfGuard, UnknownHostIsReported) {
  VettedHost v = vet_host("no-such-host.invalid", {});
  EXPECT_NE(v.kind, VettedHost::kOk);
  EXPECT_NE(v.error.find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace sluice::stages

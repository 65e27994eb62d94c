// The SSRF address policy, without any network: classification of special
// addresses (IPv4-in-IPv6 embeddings included), CIDR parsing and allow-lists.
#include "fetch/address_policy.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace imgflo::fetch {
namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(IpAddress{});
}

struct Case {
  const char* address;
  AddressClass expected;
};

class ClassifyTest : public testing::TestWithParam<Case> {};

TEST_P(ClassifyTest, ClassAndDefaultRefusal) {
  const Case& c = GetParam();
  EXPECT_EQ(classify(ip(c.address)), c.expected) << c.address;
  const auto refused = AddressPolicy().refusal(ip(c.address));
  if (c.expected == AddressClass::kPublic) {
    EXPECT_FALSE(refused.has_value()) << c.address;
  } else {
    ASSERT_TRUE(refused.has_value()) << c.address;
    EXPECT_EQ(*refused, c.expected) << c.address;
  }
}

constexpr Case kMatrix[] = {
    // loopback and unspecified, in every spelling
    {"127.0.0.1", AddressClass::kLoopback},
    {"127.1.2.3", AddressClass::kLoopback},
    {"::1", AddressClass::kLoopback},
    {"::ffff:127.0.0.1", AddressClass::kLoopback},
    {"::ffff:7f00:1", AddressClass::kLoopback},
    {"::127.0.0.1", AddressClass::kLoopback},          // IPv4-compatible
    {"::ffff:0:127.0.0.1", AddressClass::kLoopback},   // SIIT
    {"0.0.0.0", AddressClass::kUnspecified},
    {"0.1.2.3", AddressClass::kUnspecified},
    {"::", AddressClass::kUnspecified},
    // cloud metadata and link-local
    {"169.254.169.254", AddressClass::kLinkLocal},
    {"::ffff:169.254.169.254", AddressClass::kLinkLocal},
    {"fe80::1", AddressClass::kLinkLocal},
    {"febf::1", AddressClass::kLinkLocal},
    // private networks
    {"10.0.0.1", AddressClass::kPrivate},
    {"10.255.255.255", AddressClass::kPrivate},
    {"172.16.0.1", AddressClass::kPrivate},
    {"172.31.255.254", AddressClass::kPrivate},
    {"192.168.1.1", AddressClass::kPrivate},
    {"100.64.0.1", AddressClass::kSharedCgnat},
    {"100.127.255.254", AddressClass::kSharedCgnat},
    {"fc00::1", AddressClass::kUniqueLocal},
    {"fd12:3456::1", AddressClass::kUniqueLocal},
    {"fec0::1", AddressClass::kPrivate},
    // multicast, broadcast, reserved
    {"224.0.0.1", AddressClass::kMulticast},
    {"239.255.255.250", AddressClass::kMulticast},
    {"ff02::1", AddressClass::kMulticast},
    {"255.255.255.255", AddressClass::kBroadcast},
    {"240.0.0.1", AddressClass::kReserved},
    {"192.0.2.1", AddressClass::kReserved},
    {"198.18.0.1", AddressClass::kReserved},
    {"2001:db8::1", AddressClass::kReserved},
    {"100::1", AddressClass::kReserved},  // discard-only, outside 2000::/3
    // IPv4 embedded in IPv6: judged by the embedded address
    {"64:ff9b::a00:1", AddressClass::kPrivate},             // NAT64 of 10.0.0.1
    {"64:ff9b::7f00:1", AddressClass::kLoopback},           // NAT64 of 127.0.0.1
    {"2002:a9fe:a9fe::1", AddressClass::kLinkLocal},        // 6to4 of 169.254.169.254
    {"2002:c0a8:101::1", AddressClass::kPrivate},           // 6to4 of 192.168.1.1
    {"2001:0:4136:e378:8000:63bf:80ff:fffe", AddressClass::kLoopback},  // Teredo, client 127.0.0.1
    {"2001:db9::5efe:a00:1", AddressClass::kPrivate},       // ISATAP interface id, 10.0.0.1
    // public destinations stay allowed
    {"8.8.8.8", AddressClass::kPublic},
    {"93.184.216.34", AddressClass::kPublic},
    {"100.128.0.1", AddressClass::kPublic},   // just past CGNAT
    {"172.32.0.1", AddressClass::kPublic},    // just past 172.16/12
    {"169.255.0.1", AddressClass::kPublic},
    {"2606:4700:4700::1111", AddressClass::kPublic},
    {"::ffff:8.8.8.8", AddressClass::kPublic},
    {"64:ff9b::808:808", AddressClass::kPublic},   // NAT64 of 8.8.8.8
    {"2002:808:808::1", AddressClass::kPublic},    // 6to4 of 8.8.8.8
};

INSTANTIATE_TEST_SUITE_P(Matrix, ClassifyTest, testing::ValuesIn(kMatrix));

TEST(AddressPolicy, EmbeddedAddressesAreExtracted) {
  auto v4 = embedded_v4(ip("2001:0:4136:e378:8000:63bf:3fff:fdd2"));  // RFC 4380 example
  ASSERT_EQ(v4.size(), 2u);
  EXPECT_EQ(v4[0].to_string(), "65.54.227.120");  // Teredo server
  EXPECT_EQ(v4[1].to_string(), "192.0.2.45");     // client, de-obfuscated
  EXPECT_TRUE(embedded_v4(ip("2606:4700:4700::1111")).empty());
  EXPECT_TRUE(embedded_v4(ip("10.0.0.1")).empty());
}

TEST(AddressPolicy, AllowListOverridesRefusal) {
  auto policy = AddressPolicy::from_allow_list("127.0.0.1/32, 10.0.0.0/8,fd00::/8");
  ASSERT_TRUE(policy.ok()) << policy.error().message();
  EXPECT_FALSE(policy->refusal(ip("127.0.0.1")).has_value());
  EXPECT_FALSE(policy->refusal(ip("::ffff:127.0.0.1")).has_value());  // same destination
  EXPECT_FALSE(policy->refusal(ip("10.20.30.40")).has_value());
  EXPECT_FALSE(policy->refusal(ip("fd00::5")).has_value());
  EXPECT_EQ(policy->refusal(ip("127.0.0.2")), AddressClass::kLoopback);  // outside the /32
  EXPECT_EQ(policy->refusal(ip("::1")), AddressClass::kLoopback);
  EXPECT_EQ(policy->refusal(ip("192.168.0.1")), AddressClass::kPrivate);
  EXPECT_EQ(policy->refusal(ip("169.254.169.254")), AddressClass::kLinkLocal);
  EXPECT_EQ(policy->refusal(ip("fc00::1")), AddressClass::kUniqueLocal);
  EXPECT_FALSE(policy->refusal(ip("8.8.8.8")).has_value());
}

TEST(AddressPolicy, BareAddressMeansSingleHost) {
  auto policy = AddressPolicy::from_allow_list("::1,192.168.1.10");
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->refusal(ip("::1")).has_value());
  EXPECT_FALSE(policy->refusal(ip("192.168.1.10")).has_value());
  EXPECT_TRUE(policy->refusal(ip("192.168.1.11")).has_value());
}

TEST(AddressPolicy, EmptyAllowListIsDefault) {
  auto policy = AddressPolicy::from_allow_list(" , ");
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(policy->allow_list().empty());
  EXPECT_TRUE(policy->refusal(ip("127.0.0.1")).has_value());
}

TEST(AddressPolicy, BadAllowListEntriesAreNamed) {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "localhost", "10.0.0.0/", "10.0.0.0/x8"}) {
    auto policy = AddressPolicy::from_allow_list(std::string("127.0.0.1/32,") + bad);
    ASSERT_FALSE(policy.ok()) << bad;
    EXPECT_EQ(policy.error().kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(policy.error().message().find(bad), std::string::npos) << policy.error().message();
  }
}

TEST(Cidr, ContainsRespectsPartialBytes) {
  const Cidr cgnat = *Cidr::parse("100.64.0.0/10");
  EXPECT_TRUE(cgnat.contains(ip("100.64.0.0")));
  EXPECT_TRUE(cgnat.contains(ip("100.127.255.255")));
  EXPECT_FALSE(cgnat.contains(ip("100.128.0.0")));
  EXPECT_FALSE(cgnat.contains(ip("100.63.255.255")));
  EXPECT_FALSE(cgnat.contains(ip("::ffff:100.64.0.1")));  // other family
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(ip("1.2.3.4")));
}

TEST(IpAddress, FromSockaddr) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_addr.s_addr = htonl(0xA9FEA9FE);
  auto a = IpAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&v4));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->to_string(), "169.254.169.254");
  EXPECT_EQ(a->v4_value(), 0xA9FEA9FEu);
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_addr = in6addr_loopback;
  a = IpAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&v6));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->to_string(), "::1");
  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddress::from_sockaddr(&other).has_value());
}

}  // namespace
}  // namespace imgflo::fetch

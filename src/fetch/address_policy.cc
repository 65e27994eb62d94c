#include "fetch/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace imgflo::fetch {
namespace {

struct Block {
  const char* cidr;
  AddressClass cls;
};

// IPv4 special-purpose blocks (IANA registry). Order matters where blocks
// nest: the broadcast /32 is listed before 240/4.
constexpr Block kV4Blocks[] = {
    {"0.0.0.0/8", AddressClass::kUnspecified},     {"10.0.0.0/8", AddressClass::kPrivate},
    {"100.64.0.0/10", AddressClass::kSharedCgnat}, {"127.0.0.0/8", AddressClass::kLoopback},
    {"169.254.0.0/16", AddressClass::kLinkLocal},  {"172.16.0.0/12", AddressClass::kPrivate},
    {"192.0.0.0/24", AddressClass::kReserved},     {"192.0.2.0/24", AddressClass::kReserved},
    {"192.88.99.0/24", AddressClass::kReserved},   {"192.168.0.0/16", AddressClass::kPrivate},
    {"198.18.0.0/15", AddressClass::kReserved},    {"198.51.100.0/24", AddressClass::kReserved},
    {"203.0.113.0/24", AddressClass::kReserved},   {"224.0.0.0/4", AddressClass::kMulticast},
    {"255.255.255.255/32", AddressClass::kBroadcast}, {"240.0.0.0/4", AddressClass::kReserved},
};

// IPv6 blocks checked after the IPv4 embeddings. Anything outside 2000::/3
// (global unicast) that is not listed here is kReserved as well.
constexpr Block kV6Blocks[] = {
    {"::/128", AddressClass::kUnspecified},     {"::1/128", AddressClass::kLoopback},
    {"fe80::/10", AddressClass::kLinkLocal},    {"fec0::/10", AddressClass::kPrivate},
    {"fc00::/7", AddressClass::kUniqueLocal},   {"ff00::/8", AddressClass::kMulticast},
    {"2001:db8::/32", AddressClass::kReserved}, {"3fff::/20", AddressClass::kReserved},
};

const std::vector<std::pair<Cidr, AddressClass>>& table(bool v4) {
  static const auto build = [](const auto& blocks) {
    std::vector<std::pair<Cidr, AddressClass>> out;
    for (const Block& b : blocks) out.emplace_back(*Cidr::parse(b.cidr), b.cls);
    return out;
  };
  static const auto v4_table = build(kV4Blocks);
  static const auto v6_table = build(kV6Blocks);
  return v4 ? v4_table : v6_table;
}

std::optional<AddressClass> lookup(const IpAddress& a) {
  for (const auto& [cidr, cls] : table(a.is_v4()))
    if (cidr.contains(a)) return cls;
  return std::nullopt;
}

bool all_zero(const IpAddress& a, int from, int to) {
  return std::all_of(a.bytes.begin() + from, a.bytes.begin() + to, [](auto b) { return b == 0; });
}

IpAddress v4_at(const IpAddress& a, int offset, std::uint8_t mask = 0) {
  IpAddress out;
  for (int i = 0; i < 4; ++i) out.bytes[i] = a.bytes[offset + i] ^ mask;
  return out;
}

bool is_mapped(const IpAddress& a) {  // ::ffff:a.b.c.d
  return all_zero(a, 0, 10) && a.bytes[10] == 0xff && a.bytes[11] == 0xff;
}

// Forms whose whole meaning is "this IPv4 destination": mapped, compatible
// (::a.b.c.d), SIIT (::ffff:0:a.b.c.d) and NAT64 well-known (64:ff9b::/96).
bool is_pure_embedding(const IpAddress& a) {
  const bool siit = all_zero(a, 0, 8) && a.bytes[8] == 0xff && a.bytes[9] == 0xff && all_zero(a, 10, 12);
  const bool nat64 = a.bytes[0] == 0x00 && a.bytes[1] == 0x64 && a.bytes[2] == 0xff && a.bytes[3] == 0x9b &&
                     all_zero(a, 4, 12);
  return is_mapped(a) || all_zero(a, 0, 12) || siit || nat64;
}

AddressClass classify_v4(const IpAddress& a) { return lookup(a).value_or(AddressClass::kPublic); }

}  // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  for (int i = 0; i < 4; ++i) a.bytes[i] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

std::uint32_t IpAddress::v4_value() const {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         bytes[3];
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  a.family = Family::kV6;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr* addr) {
  IpAddress a;
  if (addr->sa_family == AF_INET) {
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, 4);
    return a;
  }
  if (addr->sa_family == AF_INET6) {
    a.family = Family::kV6;
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, 16);
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto base = IpAddress::parse(text.substr(0, slash));
  if (!base) return std::nullopt;
  const int max_bits = base->is_v4() ? 32 : 128;
  int prefix = max_bits;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > max_bits) return std::nullopt;
  }
  return Cidr{*base, prefix};
}

bool Cidr::contains(const IpAddress& a) const {
  if (a.family != base.family) return false;
  const int full = prefix / 8, rest = prefix % 8;
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + full, a.bytes.begin())) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (base.bytes[full] & mask) == (a.bytes[full] & mask);
}

std::string_view address_class_name(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic: return "public";
    case AddressClass::kLoopback: return "loopback";
    case AddressClass::kUnspecified: return "unspecified";
    case AddressClass::kPrivate: return "private network";
    case AddressClass::kSharedCgnat: return "shared (CGNAT) network";
    case AddressClass::kLinkLocal: return "link-local";
    case AddressClass::kMulticast: return "multicast";
    case AddressClass::kUniqueLocal: return "unique-local";
    case AddressClass::kBroadcast: return "broadcast";
    case AddressClass::kReserved: return "reserved";
  }
  return "reserved";
}

std::vector<IpAddress> embedded_v4(const IpAddress& a) {
  std::vector<IpAddress> out;
  if (a.is_v4()) return out;
  if (is_pure_embedding(a)) out.push_back(v4_at(a, 12));
  if (a.bytes[0] == 0x20 && a.bytes[1] == 0x02) out.push_back(v4_at(a, 2));  // 6to4 2002:V4::/48
  if (a.bytes[0] == 0x20 && a.bytes[1] == 0x01 && all_zero(a, 2, 4)) {       // Teredo 2001::/32
    out.push_back(v4_at(a, 4));                                              //   server
    out.push_back(v4_at(a, 12, 0xff));                                       //   client, obfuscated
  }
  const bool isatap = (a.bytes[8] & 0xfd) == 0 && a.bytes[9] == 0 && a.bytes[10] == 0x5e && a.bytes[11] == 0xfe;
  if (isatap) out.push_back(v4_at(a, 12));  // interface id 0[02]00:5efe:V4
  return out;
}

AddressClass classify(const IpAddress& a) {
  if (a.is_v4()) return classify_v4(a);
  if (all_zero(a, 0, 15) && a.bytes[15] <= 1)  // :: and ::1 before ::a.b.c.d
    return a.bytes[15] == 0 ? AddressClass::kUnspecified : AddressClass::kLoopback;
  for (const IpAddress& v4 : embedded_v4(a)) {
    const AddressClass c = classify_v4(v4);
    if (c != AddressClass::kPublic) return c;
  }
  if (is_pure_embedding(a)) return AddressClass::kPublic;
  if (auto c = lookup(a)) return *c;
  if ((a.bytes[0] & 0xe0) != 0x20) return AddressClass::kReserved;  // outside 2000::/3
  return AddressClass::kPublic;
}

Result<AddressPolicy> AddressPolicy::from_allow_list(std::string_view csv) {
  std::vector<Cidr> allow;
  while (!csv.empty()) {
    const auto comma = csv.find(',');
    std::string_view item = csv.substr(0, comma);
    csv = comma == std::string_view::npos ? std::string_view{} : csv.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    auto cidr = Cidr::parse(item);
    if (!cidr)
      return Error(ErrorKind::kInvalidArgument,
                   "invalid CIDR block in address allow-list: '" + std::string(item) + "'");
    allow.push_back(*cidr);
  }
  return AddressPolicy(std::move(allow));
}

bool AddressPolicy::allow_listed(const IpAddress& a) const {
  // A mapped address is the IPv4 destination itself (the kernel connects it
  // over IPv4), so an IPv4 entry covers it too.
  const std::optional<IpAddress> v4 = is_mapped(a) ? std::optional(v4_at(a, 12)) : std::nullopt;
  return std::any_of(allow_.begin(), allow_.end(),
                     [&](const Cidr& c) { return c.contains(a) || (v4 && c.contains(*v4)); });
}

std::optional<AddressClass> AddressPolicy::refusal(const IpAddress& a) const {
  const AddressClass c = classify(a);
  if (c == AddressClass::kPublic || allow_listed(a)) return std::nullopt;
  return c;
}

}  // namespace imgflo::fetch

// Which network addresses the input fetcher may connect to (the SSRF guard).
//
// The fetcher asks `AddressPolicy::check` about every address it is about to
// connect to — after DNS resolution, for every connection and every redirect
// hop — so host-name tricks (DNS rebinding, decimal or octal IPv4 literals,
// "localhost") are judged by the address actually used, never by the URL text.
//
// Default: only globally routable unicast addresses are allowed. Refused are
// loopback, unspecified, RFC 1918 private, CGNAT, link-local (incl. the cloud
// metadata address 169.254.169.254), multicast, broadcast, IPv6 unique-local
// and site-local, and documentation/benchmark/reserved blocks. IPv6 addresses
// that embed an IPv4 address (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d,
// NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo 2001::/32, ISATAP interface ids)
// are judged by the embedded address as well.
//
// An allow-list of CIDR blocks overrides the refusal (configuration, e.g.
// IMGFLO_ALLOW_PRIVATE="127.0.0.1/32,10.0.0.0/8"): an address inside a listed
// block, or whose embedded IPv4 address is, is allowed whatever its class.
//
// Everything here is pure and has no network access; AddressPolicy is
// immutable after construction and safe to share between threads.
#pragma once

#include "core/error.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sockaddr;

namespace imgflo::fetch {

// An IPv4 or IPv6 address. IPv4 uses bytes[0..3]; IPv6 all 16 (network order).
struct IpAddress {
  enum class Family { kV4, kV6 };
  Family family = Family::kV4;
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress v4(std::uint32_t host_order);
  // Dotted quad or IPv6 text (as inet_pton accepts it); nullopt otherwise.
  static std::optional<IpAddress> parse(std::string_view text);
  // AF_INET / AF_INET6 socket addresses; nullopt for any other family.
  static std::optional<IpAddress> from_sockaddr(const sockaddr* addr);

  bool is_v4() const { return family == Family::kV4; }
  std::uint32_t v4_value() const;  // host order; REQUIRES: is_v4()
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

// A CIDR block such as "10.0.0.0/8" or "fe80::/10".
struct Cidr {
  IpAddress base;
  int prefix = 0;

  // "ADDR/N", or a bare address meaning /32 (IPv4) or /128 (IPv6).
  static std::optional<Cidr> parse(std::string_view text);
  // Same family and the first `prefix` bits equal.
  bool contains(const IpAddress& a) const;
};

// Why an address is (not) a public destination. kPublic is the only class
// allowed without an allow-list entry.
enum class AddressClass {
  kPublic,
  kLoopback,      // 127/8, ::1
  kUnspecified,   // 0/8, ::
  kPrivate,       // RFC 1918, fec0::/10 site-local
  kSharedCgnat,   // 100.64/10
  kLinkLocal,     // 169.254/16 (cloud metadata), fe80::/10
  kMulticast,     // 224/4, ff00::/8
  kUniqueLocal,   // fc00::/7
  kBroadcast,     // 255.255.255.255
  kReserved,      // documentation, benchmarking, 240/4, IETF, discard-only ...
};

// "loopback", "private network", ... : safe to show to clients.
std::string_view address_class_name(AddressClass c);

// The class of an address, looking through IPv4-in-IPv6 embeddings: an IPv6
// address embedding a non-public IPv4 address takes that address's class.
AddressClass classify(const IpAddress& a);

// The IPv4 addresses embedded in `a` (mapped, compatible, NAT64, 6to4,
// Teredo server and client, ISATAP); empty for IPv4 and plain IPv6.
std::vector<IpAddress> embedded_v4(const IpAddress& a);

class AddressPolicy {
 public:
  // Default policy: public addresses only.
  AddressPolicy() = default;
  explicit AddressPolicy(std::vector<Cidr> allow) : allow_(std::move(allow)) {}

  // Parses a comma-separated allow-list ("127.0.0.1/32, 10.0.0.0/8"); empty
  // text gives the default policy. kInvalidArgument names the bad entry.
  static Result<AddressPolicy> from_allow_list(std::string_view csv);

  // nullopt when a connection to `a` is permitted, else the refused class.
  std::optional<AddressClass> refusal(const IpAddress& a) const;

  const std::vector<Cidr>& allow_list() const { return allow_; }

 private:
  bool allow_listed(const IpAddress& a) const;

  std::vector<Cidr> allow_;  // constant after construction
};

}  // namespace imgflo::fetch

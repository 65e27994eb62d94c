#include "http/public_url.h"

#include <algorithm>

namespace imgflo::http {

// This file's helpers, in a namespace of its own (a unity batch sees every file's anonymous namespace).
namespace public_url_rules {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_label_char(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'; }

// One DNS label: 1-63 letters, digits and '-', not starting or ending with '-'.
bool is_label(std::string_view label) {
  return !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
         std::all_of(label.begin(), label.end(), is_label_char);
}

bool is_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (size_t start = 0;;) {
    const size_t dot = host.find('.', start);
    if (!is_label(host.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_port(std::string_view port) {
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit)) return false;
  const int n = std::stoi(std::string(port));
  return n >= 1 && n <= 65535;
}

std::string_view host_of(std::string_view host_port) { return host_port.substr(0, host_port.find(':')); }

Error bad_url(std::string_view url, const std::string& why) {
  return Error(ErrorKind::kInvalidArgument,
               "'" + std::string(url) + "' is not a public base URL (" + why + "), e.g. https://img.example.com");
}

}  // namespace public_url_rules

bool is_host_port(std::string_view text) {
  const size_t colon = text.find(':');
  if (!public_url_rules::is_host(text.substr(0, colon))) return false;
  return colon == std::string_view::npos || public_url_rules::is_port(text.substr(colon + 1));
}

bool is_container_id(std::string_view host) {
  const auto is_lower_hex = [](char c) { return public_url_rules::is_digit(c) || (c >= 'a' && c <= 'f'); };
  return (host.size() == 12 || host.size() == 64) && std::all_of(host.begin(), host.end(), is_lower_hex);
}

Result<std::string> parse_public_url(std::string_view url) {
  std::string_view rest = url;
  if (rest.starts_with("https://")) rest.remove_prefix(8);
  else if (rest.starts_with("http://")) rest.remove_prefix(7);
  else return public_url_rules::bad_url(url, "it must start with http:// or https://");
  if (rest.find_first_of("?#") != std::string_view::npos) return public_url_rules::bad_url(url, "no query or fragment");
  const auto is_space_or_control = [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; };
  if (std::any_of(rest.begin(), rest.end(), is_space_or_control)) {
    return public_url_rules::bad_url(url, "no spaces or control characters");
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) return public_url_rules::bad_url(url, "no user name or password");
  if (!is_host_port(authority)) {
    return public_url_rules::bad_url(url, "the host must be a name or IPv4 address with an optional port");
  }
  std::string canonical(url);
  while (canonical.back() == '/') canonical.pop_back();
  return canonical;
}

std::optional<std::string> base_from_hostname(std::string_view hostname) {
  if (!is_host_port(hostname) || is_container_id(public_url_rules::host_of(hostname))) return std::nullopt;
  return "http://" + std::string(hostname);
}

std::string relative_locations_warning(const std::optional<std::string>& hostname) {
  std::string why = "HOSTNAME is not set";
  if (hostname) {
    const bool container = is_container_id(public_url_rules::host_of(*hostname));
    why = "HOSTNAME '" + *hostname + (container ? "' is a container id" : "' is not a host[:port]");
  }
  return "Locations of local results are relative (/cache/KEY): IMGFLO_PUBLIC_URL is not set and " + why +
         "; set IMGFLO_PUBLIC_URL to the service's public base URL (e.g. https://img.example.com)";
}

}  // namespace imgflo::http

#include "storage/s3_config.h"

#include <algorithm>
#include <vector>

namespace imgflo::storage {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

std::string without_trailing_slash(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

// "http://" or "https://" (lower case), or "" when the URL has neither.
std::string_view scheme_prefix(std::string_view url) {
  for (std::string_view p : {"http://", "https://"}) {
    if (url.substr(0, p.size()) == p) return p;
  }
  return {};
}

// DNS-compatible bucket name (the S3 rules that matter for URLs): 3-63 of [a-z0-9.-],
// starting and ending with a letter or digit.
bool valid_bucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63 || !is_lower_alnum(b.front()) || !is_lower_alnum(b.back())) return false;
  return all_of(b, [](char c) { return is_lower_alnum(c) || c == '.' || c == '-'; });
}

// '/'-separated segments of [A-Za-z0-9._-], none empty, "." or "..".
bool valid_folder(std::string_view f) {
  if (f.empty()) return true;
  size_t start = 0;
  while (start <= f.size()) {
    const size_t end = std::min(f.find('/', start), f.size());
    const std::string_view seg = f.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == ".." ||
        !all_of(seg, [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; }))
      return false;
    start = end + 1;
  }
  return true;
}

// "http(s)://host[:port]" (optional trailing '/'); host of [A-Za-z0-9.-], no path.
bool valid_endpoint(std::string_view url) {
  const std::string_view scheme = scheme_prefix(url);
  if (scheme.empty()) return false;
  std::string_view authority = url.substr(scheme.size());
  while (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  const size_t colon = authority.find(':');
  const std::string_view host = authority.substr(0, colon);
  if (host.empty() || !all_of(host, [](char c) { return is_alnum(c) || c == '.' || c == '-'; })) return false;
  if (colon == std::string_view::npos) return true;
  const std::string_view port = authority.substr(colon + 1);
  return !port.empty() && port.size() <= 5 && all_of(port, [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_public_url(std::string_view url) {
  return !scheme_prefix(url).empty() && url.size() > scheme_prefix(url).size() &&
         url.find_first_of("?# \t\r\n") == std::string_view::npos;
}

bool has_control(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

Status S3Config::validate() const {
  std::vector<std::string> missing;
  std::vector<std::string> bad;
  if (access_key_id.empty()) missing.push_back("AMAZON_API_ID");
  if (secret_access_key.empty()) missing.push_back("AMAZON_API_TOKEN");
  if (bucket.empty()) missing.push_back("AMAZON_API_BUCKET");
  if (has_control(access_key_id) || has_control(secret_access_key))
    bad.push_back("AMAZON_API_ID/AMAZON_API_TOKEN contain control characters");
  if (!bucket.empty() && !valid_bucket(bucket))
    bad.push_back("AMAZON_API_BUCKET '" + bucket + "' is not a DNS-style bucket name (3-63 of a-z 0-9 . -)");
  if (region.empty() || !all_of(region, [](char c) { return is_lower_alnum(c) || c == '-'; }))
    bad.push_back("AMAZON_API_REGION '" + region + "' is not a region name (a-z 0-9 -)");
  if (!endpoint.empty() && !valid_endpoint(endpoint))
    bad.push_back("IMGFLO_S3_ENDPOINT '" + endpoint + "' is not http(s)://host[:port]");
  if (!public_url.empty() && !valid_public_url(public_url))
    bad.push_back("IMGFLO_S3_PUBLIC_URL '" + public_url + "' is not an http(s) URL without query");
  if (!valid_folder(folder))
    bad.push_back("IMGFLO_S3_FOLDER '" + folder + "' must be '/'-separated segments of A-Z a-z 0-9 . _ -");
  if (has_control(cache_control)) bad.push_back("IMGFLO_S3_CACHE_CONTROL contains control characters");
  if (connect_timeout.count() <= 0 || request_timeout.count() <= 0) bad.push_back("S3 timeouts must be positive");
  if (max_attempts < 1 || max_attempts > 10) bad.push_back("S3 attempts must be 1-10");
  if (missing.empty() && bad.empty()) return ok_status();

  std::string message;
  if (!missing.empty()) {
    message = "S3 storage needs";
    for (size_t i = 0; i < missing.size(); ++i) message += (i ? ", " : " ") + missing[i];
  }
  for (const auto& b : bad) message += (message.empty() ? "" : "; ") + b;
  return Error(ErrorKind::kInvalidArgument, message);
}

S3Addressing S3Config::effective_addressing() const {
  if (addressing) return *addressing;
  return endpoint.empty() ? S3Addressing::kVirtualHosted : S3Addressing::kPathStyle;
}

std::string S3Config::object_key(std::string_view key) const {
  return folder.empty() ? std::string(key) : folder + "/" + std::string(key);
}

std::string S3Config::bucket_url() const {
  const std::string base =
      endpoint.empty() ? "https://s3." + region + ".amazonaws.com" : without_trailing_slash(endpoint);
  if (effective_addressing() == S3Addressing::kPathStyle) return base + "/" + bucket;
  const std::string_view scheme = scheme_prefix(base);
  return std::string(scheme) + bucket + "." + base.substr(scheme.size());
}

std::string S3Config::object_url(std::string_view object_key) const {
  return bucket_url() + "/" + std::string(object_key);
}

std::string S3Config::public_base() const {
  return public_url.empty() ? bucket_url() : without_trailing_slash(public_url);
}

std::string S3Config::sigv4_provider() const { return "aws:amz:" + region + ":s3"; }

}  // namespace imgflo::storage

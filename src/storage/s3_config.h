// Configuration of the S3 result storage, and the URLs derived from it. The
// variables named below are read by app::Config (unset or empty = the default).
//
// Two addressing styles:
//  - virtual-hosted (the default without an endpoint, i.e. AWS):
//      https://BUCKET.s3.REGION.amazonaws.com/FOLDER/KEY
//  - path-style (the default with IMGFLO_S3_ENDPOINT, for S3-compatible servers):
//      ENDPOINT/BUCKET/FOLDER/KEY
// The public location of a result (what a 301 points at) is PUBLIC_URL/FOLDER/KEY, where
// PUBLIC_URL is the bucket's URL above unless configured (a CDN in front of the bucket).
//
// Names are restricted so that no percent-encoding is ever needed (URLs are signed as written):
// the bucket is a DNS-style name, the folder uses [A-Za-z0-9._-] segments separated by '/'.
// Plain value type; const methods are thread-safe.
#pragma once

#include "core/error.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo::storage {

enum class S3Addressing { kPathStyle, kVirtualHosted };

struct S3Config {
  // Credentials (AMAZON_API_ID, AMAZON_API_TOKEN). The secret never appears in messages.
  std::string access_key_id;
  std::string secret_access_key;
  std::string bucket;              // AMAZON_API_BUCKET
  std::string region = "us-east-1";  // AMAZON_API_REGION; part of the signature scope
  // IMGFLO_S3_ENDPOINT: "http(s)://host[:port]" of an S3-compatible server; empty = AWS.
  std::string endpoint;
  // IMGFLO_S3_ADDRESSING ("path" | "virtual"); unset = path with an endpoint, virtual without.
  std::optional<S3Addressing> addressing;
  // IMGFLO_S3_PUBLIC_URL: base of the locations put() returns (bucket URL or CDN);
  // empty = the bucket's own URL.
  std::string public_url;
  // IMGFLO_S3_FOLDER: object key prefix; results are stored as FOLDER/KEY ("" = bucket root).
  // The original service used "p" in production.
  std::string folder = "p";
  // IMGFLO_S3_CACHE_CONTROL: stored with every object. Results never change under a key
  // (the key is a digest of the request), so they may be cached for a year.
  std::string cache_control = "public, max-age=31536000, immutable";

  // Per attempt: TCP/TLS connect, and the whole request. A 5 MB upload to a nearby region takes
  // well under a second; 30 s leaves room for slow links without holding a worker for long.
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{30000};
  // Attempts for network errors and 5xx answers (1 = no retry); the wait doubles after each
  // failed attempt, starting at retry_backoff. Worst case about attempts x request_timeout.
  int max_attempts = 3;
  std::chrono::milliseconds retry_backoff{100};
  // get() refuses objects larger than this (results are images; 256 MB is far above any).
  std::size_t max_object_bytes = 256u << 20;

  // kInvalidArgument listing every problem at once.
  Status validate() const;

  S3Addressing effective_addressing() const;
  // FOLDER/KEY (or KEY when the folder is empty).
  std::string object_key(std::string_view key) const;
  // The URL requests for `object_key` go to.
  std::string object_url(std::string_view object_key) const;
  // The bucket's URL (no trailing '/'), and the public base (no trailing '/').
  std::string bucket_url() const;
  std::string public_base() const;
  // "aws:amz:REGION:s3", the libcurl CURLOPT_AWS_SIGV4 provider string.
  std::string sigv4_provider() const;
};

}  // namespace imgflo::storage

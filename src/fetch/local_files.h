// Inputs from the local resource folder: `files/NAME` references.
//
// The original rewrote `files/NAME` to http://localhost:<port>/files/NAME and
// downloaded it from its own static route; here the file is read directly
// (no network round trip), with the same observable results: a missing file
// is a download failure reported like an HTTP 404, and the Content-Type comes
// from the file extension as a static file server would send it.
//
// NAME is percent-decoded once more, as the original's HTTP path was (the
// query parser already decoded the `input` parameter once); a query string
// or fragment after NAME is ignored. Refused, before touching the disk:
//   - malformed percent escapes                        -> kInvalidArgument
//   - NUL bytes (raw or %00), backslashes, a '%' left after decoding (double
//     encoding), absolute paths, "." or ".." segments  -> kForbidden
// and, after resolving symbolic links, any path that leads outside the root
// (kForbidden). Directories and missing files -> kDownloadFailed (404).
//
// Thread-safety: immutable after construction; fetch() may run concurrently.
// The root is trusted (operator-controlled); the check resolves links before
// opening, so a concurrent change of links inside the root is out of scope.
#pragma once

#include "fetch/fetcher.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo::fetch {

// The original's default resource folder, relative to the working directory
// (the application passes the repository's examples/ or IMGFLO_RESOURCE_DIR).
inline constexpr const char* kDefaultResourceDir = "examples";

class LocalFileFetcher final : public Fetcher {
 public:
  // `root` need not exist yet; if it does not, every fetch reports 404.
  explicit LocalFileFetcher(const std::filesystem::path& root);

  // `url` is a "files/NAME" reference. Fetched::status is 200, final_url the
  // reference itself, content_type from the extension.
  Result<Fetched> fetch(const std::string& url, const FetchOptions& options, const Stop& stop) override;

  // The canonical path of the regular file a reference names (inside the
  // root), or the error fetch() would return.
  Result<std::filesystem::path> resolve(const std::string& reference) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  const std::filesystem::path root_;  // canonical when it exists
};

// The Content-Type a static file server sends for this file name
// ("image/jpeg" for .jpg/.jpeg, ...; "application/octet-stream" if unknown).
std::string_view content_type_for(const std::filesystem::path& name);

}  // namespace imgflo::fetch

#include "fetch/fetcher.h"

namespace imgflo::fetch {

bool InputFetcher::is_local(const std::string& url) { return url.rfind("files/", 0) == 0; }

Result<Fetched> InputFetcher::fetch(const std::string& url, const FetchOptions& options, const Stop& stop) {
  return is_local(url) ? local_.fetch(url, options, stop) : remote_.fetch(url, options, stop);
}

nlohmann::json input_details(const std::string& src, int upstream_status) {
  nlohmann::json details = {{"files", {{"input", {{"src", src}}}}}};
  if (upstream_status > 0) details["upstream_status"] = upstream_status;
  return details;
}

Error download_failed(const std::string& src, const std::string& reason, int upstream_status) {
  return Error(ErrorKind::kDownloadFailed, "Failed to download input " + src + ": " + reason,
               input_details(src, upstream_status));
}

Error refused_destination(const std::string& src) {
  return Error(ErrorKind::kForbidden, "Refused to download the input: destination not allowed", input_details(src));
}

Error unreachable_origin(const std::string& src) {
  return Error(ErrorKind::kDownloadFailed, "Failed to download the input: could not connect to the origin",
               input_details(src));
}

Error http_error(const std::string& src, int status) {
  return download_failed(src, "HTTP error " + std::to_string(status), status);
}

}  // namespace imgflo::fetch

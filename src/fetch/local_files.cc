#include "fetch/local_files.h"
#include "core/mime.h"
#include "core/query.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace imgflo::fetch {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "files/";

Error forbidden(const std::string& src, std::string_view why) {
  return Error(ErrorKind::kForbidden, "Refused to read input " + src + ": " + std::string(why), input_details(src));
}

Error not_found(const std::string& src) { return http_error(src, 404); }


// Checks the decoded relative name; nullopt when it is acceptable.
std::optional<std::string_view> why_refused(std::string_view name) {
  if (name.find('\0') != std::string_view::npos) return "NUL byte in the file name";
  if (name.find('%') != std::string_view::npos) return "percent sign left after decoding (double encoding)";
  if (name.find('\\') != std::string_view::npos) return "backslash in the file name";
  if (name.front() == '/') return "absolute path";
  for (size_t start = 0; start <= name.size();) {
    const size_t end = std::min(name.find('/', start), name.size());
    const std::string_view segment = name.substr(start, end - start);
    if (segment == "." || segment == "..") return "path traversal ('.' or '..' segment)";
    start = end + 1;
  }
  return std::nullopt;
}

// True when `p` (canonical) is `root` or lies below it.
bool inside(const fs::path& root, const fs::path& p) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end();
}

Result<std::string> read_regular_file(const fs::path& path, const std::string& src, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return not_found(src);
  struct stat st {};
  std::string bytes;
  Result<std::string> result = not_found(src);
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (static_cast<unsigned long long>(st.st_size) > max_bytes) {
      result = Error(ErrorKind::kTooLarge,
                     "Input " + src + " is larger than the limit of " + std::to_string(max_bytes) + " bytes",
                     input_details(src));
    } else {
      bytes.resize(static_cast<size_t>(st.st_size));
      size_t done = 0;
      while (done < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) break;  // a file shrinking under us yields what was there
        done += static_cast<size_t>(n);
      }
      bytes.resize(done);
      result = std::move(bytes);
    }
  }
  ::close(fd);
  return result;
}

}  // namespace


std::string_view content_type_for(const fs::path& name) {
  std::string ext = name.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".svg") return "image/svg+xml";  // a bundled example input, never a stored result
  return imgflo::content_type_for(std::string_view(ext).substr(ext.empty() ? 0 : 1));
}

LocalFileFetcher::LocalFileFetcher(const fs::path& root)
    : root_([&] {
        std::error_code ec;
        fs::path canonical = fs::canonical(root, ec);
        return ec ? fs::absolute(root).lexically_normal() : canonical;
      }()) {}

Result<fs::path> LocalFileFetcher::resolve(const std::string& reference) const {
  if (reference.rfind(kPrefix, 0) != 0)
    return Error(ErrorKind::kInvalidArgument, "Cannot read input " + reference + ": not a files/ reference",
                 input_details(reference));
  std::string_view raw = std::string_view(reference).substr(kPrefix.size());
  raw = raw.substr(0, raw.find_first_of("?#"));
  if (raw.find('\0') != std::string_view::npos) return forbidden(reference, "NUL byte in the file name");
  const std::optional<std::string> name = percent_decode_strict(raw);
  if (!name)
    return Error(ErrorKind::kInvalidArgument, "Cannot read input " + reference + ": malformed percent escape",
                 input_details(reference));
  if (name->empty()) return not_found(reference);
  if (auto why = why_refused(*name)) return forbidden(reference, *why);

  std::error_code ec;
  const fs::path path = fs::canonical(root_ / *name, ec);  // resolves every symbolic link
  if (ec) return not_found(reference);
  if (!inside(root_, path)) return forbidden(reference, "path leads outside the resource folder");
  if (!fs::is_regular_file(path, ec)) return not_found(reference);
  return path;
}

Result<Fetched> LocalFileFetcher::fetch(const std::string& url, const FetchOptions& options, const Stop& stop) {
  if (auto stopped = stop.check()) return *stopped;
  Result<fs::path> path = resolve(url);
  if (!path) return path.take_error();
  Result<std::string> bytes = read_regular_file(*path, url, options.max_bytes);
  if (!bytes) return bytes.take_error();
  Fetched out;
  out.bytes = std::move(bytes).value();
  out.final_url = url;
  out.content_type = std::string(content_type_for(*path));
  out.status = 200;
  return out;
}

}  // namespace imgflo::fetch

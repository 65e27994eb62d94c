#include "core/mime.h"

namespace imgflo {

std::string_view content_type_for(std::string_view ext) {
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "avif") return "image/avif";
  if (ext == "jxl") return "image/jxl";
  if (ext == "mp4") return "video/mp4";
  if (ext == "json") return "application/json";  // data graphs (placeholder)
  return "application/octet-stream";
}

}  // namespace imgflo

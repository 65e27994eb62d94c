// MIME types of the files the service stores and serves, by extension.
#pragma once

#include <string_view>

namespace imgflo {

// "jpg"/"jpeg" -> "image/jpeg", "png", "gif", "webp", "avif", "jxl" ->
// "image/...", "mp4" -> "video/mp4", "json" -> "application/json" (data
// graphs); anything else (case matters: "JPG" is unknown) ->
// "application/octet-stream". SVG is deliberately unknown: stored results
// are never served as a document that can run script.
std::string_view content_type_for(std::string_view extension);

}  // namespace imgflo

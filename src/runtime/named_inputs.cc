#include "runtime/named_inputs.h"

#include "request/image_inputs.h"
#include "runtime/codec.h"

#include <algorithm>

namespace imgflo::runtime {

namespace {

const std::string_view* find_bytes(const RunRequest& req, const std::string& name) {
  auto it = std::find_if(req.images.begin(), req.images.end(), [&](const auto& i) { return i.first == name; });
  return it == req.images.end() ? nullptr : &it->second;
}

}  // namespace

Status check_named_inputs(const RunRequest& req, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (!find_bytes(req, name)) {
      return Error(ErrorKind::kInvalidArgument, "this graph needs a \"" + name + "\" image", {{"parameter", name}});
    }
  }
  return ok_status();
}

Result<NamedImages> decode_named_inputs(const RunRequest& req, const std::vector<std::string>& names) {
  NamedImages images;
  for (const auto& name : names) {
    const std::string_view* bytes = find_bytes(req, name);
    if (!bytes) return check_named_inputs(req, names).take_error();
    auto img = decode(*bytes, {req.limits, 1, req.stop, false});
    if (!img.ok()) return request::image_input_error(img.error(), name);
    // Decoded whole here, within the pixel limit: a truncated or corrupt image
    // input is refused before the graph runs, whichever rows the graph reads.
    try {
      img->pixels = img->pixels.copy_memory();
    } catch (const vips::VError&) {
      return request::image_input_error(Error(ErrorKind::kUndecodable, "image is truncated or corrupt"), name);
    }
    images.emplace_back(name, std::move(*img));
  }
  return images;
}

std::optional<Error> named_input_failure(const RunRequest& req) {
  for (const auto& [name, bytes] : req.images) {
    auto img = decode(bytes);
    if (!img.ok()) return request::image_input_error(img.error(), name);
    try {
      (void)img->pixels.avg();  // forces a full decode
    } catch (const vips::VError&) {
      return request::image_input_error(Error(ErrorKind::kUndecodable, "image is truncated or corrupt"), name);
    }
  }
  return std::nullopt;
}

}  // namespace imgflo::runtime

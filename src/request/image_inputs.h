// Named image inputs besides "input" (e.g. the watermark graph's
// "watermark"): request parameters whose value is an image reference (an
// http(s) URL, files/NAME or graph/...), fetched like "input" and given to
// the graph as an image instead of a property value.
//
// Which parameter names are image inputs is the graph's business (its
// exported inports that target an image pad; runtime::Executable::
// image_inputs()); the request side takes them out of the parameters once
// the graph is known. The cache key is made from the whole raw query, so it
// covers every image input already.
//
// Pure functions; thread-safe.
#pragma once

#include "core/error.h"
#include "request/params.h"

#include <string>
#include <vector>

namespace imgflo::request {

// Image references by input name, in the order of `names` given to
// take_image_inputs (one entry per name present).
using ImageRefs = std::vector<std::pair<std::string, std::string>>;

// Removes every parameter named in `names` from `params` and returns their
// values (the last occurrence of a name wins, as for "input").
ImageRefs take_image_inputs(Params& params, const std::vector<std::string>& names);

// `e` about the image input `name`: for "input" unchanged; otherwise the
// public message starts with the name ("watermark: ...") and the details
// carry {"image_input": name}. The kind (and so the status) is kept.
Error image_input_error(const Error& e, const std::string& name);

}  // namespace imgflo::request

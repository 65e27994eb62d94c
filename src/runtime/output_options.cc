#include "runtime/output_options.h"

#include "request/param_value.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace imgflo::runtime {

namespace {

// An integer kMinQuality..kMaxQuality written in base 10 and nothing else.
std::optional<int> parse_quality(std::string_view text) {
  int q = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, q);
  if (ec != std::errc() || ptr != end || text.empty() || text.front() == '-') return std::nullopt;
  if (q < kMinQuality || q > kMaxQuality) return std::nullopt;
  return q;
}

// Types whose encoding can keep every pixel.
bool can_be_lossless(std::string_view out_type) {
  return out_type == "png" || out_type == "webp" || out_type == "avif" || out_type == "jxl";
}

}  // namespace

Result<OutputOptions> take_output_params(request::Params& params, std::string_view out_type) {
  OutputOptions out;
  std::optional<Error> bad;
  std::string lossless_text;
  std::erase_if(params, [&](const auto& p) {
    if (p.first == "quality") {
      out.quality = parse_quality(p.second);
      if (!out.quality && !bad) bad = request::invalid_value("quality", p.second, "an integer from 1 to 100");
      return true;
    }
    if (p.first == "lossless") {
      const auto v = request::parse_param({request::ParamType::kBoolean}, "lossless", p.second);
      if (!v.ok() && !bad) bad = v.error();
      out.lossless = v.ok() && std::get<bool>(*v);
      lossless_text = p.second;
      return true;
    }
    return false;
  });
  if (bad) return *bad;
  if (out.lossless && !can_be_lossless(out_type)) {
    return Error(ErrorKind::kInvalidArgument,
                 "lossless=true needs an output type that can keep every pixel: png, webp, avif or jxl, not " +
                     std::string(out_type),
                 {{"parameter", "lossless"}, {"value", lossless_text}, {"allowed", "false for this output type"}});
  }
  return out;
}

std::vector<ParamInfo> output_parameters() {
  return {{"quality",
           {{"type", "int"},
            {"description",
             "Output quality: jpg (default 90), webp (80), avif (50), jxl (75); no effect on png, gif and lossless"},
            {"minimum", kMinQuality},
            {"maximum", kMaxQuality}}},
          {"lossless",
           {{"type", "boolean"},
            {"description", "Lossless output: webp, avif, jxl (png always is; refused for jpg and gif)"},
            {"default", false}}}};
}

}  // namespace imgflo::runtime

// The placeholder runtime: graphs whose properties.environment.type is
// "placeholder" (graphs/placeholder.json) produce data, not an image: the
// JSON of placeholder.h, stored as <key>.json (application/json).
//
// Output types: "json" only (anything else is 449 with that list; the
// image graphs list no "json"). Parameters: "x" and "y", the BlurHash
// component counts (integers 1..9, default 4 and 3; anything else is a 400),
// and the universal resize parameters (rescale_parameters()), which only
// decide the reported width and height.
#include "runtime/placeholder.h"
#include "runtime/placeholder_runtime.h"

#include <string>

namespace imgflo::runtime {

namespace {

const std::vector<std::string> kPlaceholderTypes = {"json"};

struct Component {
  const char* name;
  int default_value;
  const char* description;
};
constexpr Component kComponents[] = {{"x", 4, "BlurHash components across (1-9)"},
                                     {"y", 3, "BlurHash components down (1-9)"}};

request::ParamRule component_rule() {
  return {request::ParamType::kInt, kBlurHashMinComponents, kBlurHashMaxComponents, {}};
}

// The value of a component parameter (the last one given wins); a 400 for
// anything but an integer in 1..9 (not clamped: a typo should not silently
// give another hash length).
Result<int> component_value(const request::Params& params, const Component& c) {
  int value = c.default_value;
  for (const auto& [name, text] : params) {
    if (name != c.name) continue;
    auto v = request::parse_param({request::ParamType::kInt, {}, {}, {}}, name, text);
    const int64_t n = v.ok() ? std::get<int64_t>(*v) : 0;
    if (n < kBlurHashMinComponents || n > kBlurHashMaxComponents) {
      return request::invalid_value(name, text, "integer from 1 to 9");
    }
    value = static_cast<int>(n);
  }
  return value;
}

// The request as make_placeholder takes it, or the first problem with it.
Result<PlaceholderRequest> read_request(const RunRequest& req) {
  request::Params params = req.params;
  PlaceholderRequest out;
  auto rescale = take_rescale_params(params);
  if (!rescale.ok()) return rescale.take_error();
  out.rescale = *rescale;
  for (const auto& [name, text] : params) {
    if (name != "x" && name != "y") {
      return Error(ErrorKind::kUnknownParameter, "unknown parameter \"" + name + "\" for graph placeholder",
                   {{"parameter", name}});
    }
  }
  auto x = component_value(params, kComponents[0]);
  if (!x.ok()) return x.take_error();
  auto y = component_value(params, kComponents[1]);
  if (!y.ok()) return y.take_error();
  out.x_components = *x;
  out.y_components = *y;
  return out;
}

class PlaceholderExecutable final : public Executable {
 public:
  std::vector<std::string> output_types() const override { return kPlaceholderTypes; }

  std::vector<ParamInfo> parameters() const override {
    std::vector<ParamInfo> out;
    for (const Component& c : kComponents) {
      out.push_back({c.name, {{"type", "int"},
                              {"description", c.description},
                              {"default", c.default_value},
                              {"minimum", kBlurHashMinComponents},
                              {"maximum", kBlurHashMaxComponents}}});
    }
    for (auto& p : rescale_parameters()) out.push_back(std::move(p));
    return out;
  }

  request::Inports inports() const override { return {{"x", component_rule()}, {"y", component_rule()}}; }

  Status check(const RunRequest& req) const override {
    if (Status st = check_output_type(req.out_type, kPlaceholderTypes); !st.ok()) return st;
    if (auto r = read_request(req); !r.ok()) return r.take_error();
    if (!req.input) return Error(ErrorKind::kInvalidArgument, "this graph needs an \"input\" image");
    return ok_status();
  }

  Result<Output> run(const RunRequest& req) const override {
    if (Status st = check(req); !st.ok()) return st.take_error();
    auto request = read_request(req);
    if (!request.ok()) return request.take_error();
    auto p = make_placeholder(*req.input, *request, req.limits, req.stop);
    if (!p.ok()) return p.take_error();
    return Output{placeholder_json(*p), "json", "application/json"};
  }
};

class PlaceholderRuntime final : public Runtime {
 public:
  bool handles(std::string_view type) const override { return type == "placeholder"; }
  Result<std::unique_ptr<Executable>> compile(const graph::Graph&) const override {
    return std::unique_ptr<Executable>(new PlaceholderExecutable());
  }
};

}  // namespace

std::unique_ptr<Runtime> make_placeholder_runtime() { return std::make_unique<PlaceholderRuntime>(); }

}  // namespace imgflo::runtime

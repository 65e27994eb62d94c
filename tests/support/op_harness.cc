#include "support/op_harness.h"

#include "graph/graph.h"
#include "runtime/codec.h"
#include "runtime/op.h"
#include "runtime/registry.h"
#include "support/paths.h"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace imgflo::test {

namespace rt = runtime;

namespace {

constexpr uint64_t kNoPixelLimit = std::numeric_limits<uint64_t>::max();

template <typename T>
T value_or_throw(Result<T> r, const std::string& what) {
  if (!r.ok()) throw std::runtime_error(what + ": " + r.error().message());
  return std::move(*r);
}

}  // namespace

rt::Image decode_file(const std::filesystem::path& path) {
  return value_or_throw(rt::decode(read_file(path)), "decoding " + path.string());
}

rt::Image run_op(const std::string& component, const OpProps& props, const rt::Image& input, const rt::Image* aux) {
  const rt::Op* op = rt::builtin_registry().find(component);
  if (!op) throw std::runtime_error("unknown op " + component);
  rt::PropertyValues values(&op->spec().properties);
  for (const auto& [name, text] : props) {
    const int i = values.index_of(name);
    if (i < 0) throw std::runtime_error(component + " has no property " + name);
    values.set(i, value_or_throw(rt::convert_string(values.spec(i), text), name));
  }
  const Stop stop;
  const rt::OpContext ctx(stop, kNoPixelLimit);
  rt::OpInputs in{&input, aux};
  return value_or_throw(op->run(in, values, ctx), component);
}

rt::Image run_graph_file(const std::filesystem::path& graph, const rt::Image& input, const request::Params& params) {
  const auto g = value_or_throw(graph::load_graph_file(graph), "loading " + graph.string());
  const auto program = value_or_throw(rt::Program::compile(g, rt::builtin_registry()), "compiling");
  return value_or_throw(program->run(&input, params, Stop{}, kNoPixelLimit), "running " + graph.string());
}

std::string encode_png16(const rt::Image& img) {
  const rt::PixelFormat f{img.format.model, rt::Trc::kPerceptual, false, rt::Depth::kU16};
  const auto interpretation = f.is_grey() ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_RGB16;
  const vips::VImage pixels =
      rt::convert(img, f).pixels.copy(vips::VImage::option()->set("interpretation", interpretation));
  void* buf = nullptr;
  size_t size = 0;
  pixels.write_to_buffer(".png", &buf, &size, vips::VImage::option()->set("bitdepth", 16)->set("compression", 1));
  std::string bytes(static_cast<const char*>(buf), size);
  g_free(buf);
  return bytes;
}

}  // namespace imgflo::test

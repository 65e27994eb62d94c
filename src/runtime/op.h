// The op interface: one image operation of the imgflo runtime.
//
// An op is declared once (OpSpec: component name, input pads, typed
// properties) and run many times, from many threads at once: run() must not
// mutate the op. It receives its input images (lazy VImages in some
// PixelFormat), its property values for this run, and a context to poll the
// deadline. It returns a new Image (any format/extent GEGL's op would give)
// or an Error. vips::VError thrown inside run() is caught by the executor and
// reported as a processing failure naming the node and component.
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/image.h"
#include "runtime/property.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace imgflo::runtime {

// How an op's result can come to carry transparency when its inputs are
// opaque (Program::may_add_alpha, behind the format negotiation's PNG fallback).
enum class AlphaRule {
  kFromInputs,  // transparent only where a connected input is (point ops, crops, blurs)
  kAdds,        // may be transparent whatever its inputs (a rotation's corners, opacity)
  kComposite,   // transparent only where input and aux both are (svg/* blends: aD = aA + aB - aA aB)
};

struct OpSpec {
  std::string component;  // as graphs name it, e.g. "gegl/crop"
  std::string description;
  std::vector<std::string> pads = {"input"};  // input pads read: "input", "aux"
  std::vector<PropSpec> properties;
  // Reads its inputs top to bottom in step with its output (point ops,
  // crops, composers), so a graph made only of such ops can take its input as
  // a decoding stream instead of a decoded image in memory.
  bool streaming = false;
  AlphaRule alpha = AlphaRule::kFromInputs;
  // Whether the op needs an alpha band on an opaque input. false declares:
  // given the input's colour alone (no alpha band) where it would otherwise
  // get the same colour with an alpha band (un-premultiplied), the op's
  // result has the same un-premultiplied colour, so a graph made only of
  // such ops may run on 3 bands for an output that drops alpha (JPEG):
  // Program::needs_alpha, the opaque fast path (runtime/rescale_opaque.h).
  bool needs_alpha = true;
};

// `spec` marked streaming (see OpSpec::streaming).
inline OpSpec streaming(OpSpec spec) {
  spec.streaming = true;
  return spec;
}

// `spec` declared not to need an alpha band (see OpSpec::needs_alpha).
inline OpSpec alpha_free(OpSpec spec) {
  spec.needs_alpha = false;
  return spec;
}

// `spec` with its AlphaRule.
inline OpSpec with_alpha(OpSpec spec, AlphaRule rule) {
  spec.alpha = rule;
  return spec;
}

struct OpInputs {
  const Image* input = nullptr;  // null when the pad is not connected
  const Image* aux = nullptr;
};

class OpContext {
 public:
  OpContext(const Stop& stop, uint64_t max_pixels) : stop_(stop), max_pixels_(max_pixels) {}
  const Stop& stop() const { return stop_; }
  // nullopt while work may continue; poll it in long loops (e.g. once per row).
  std::optional<Error> check() const { return stop_.check(); }
  // kTooLarge when an op would produce more than the pixel limit (crop or
  // blur extents are user-controlled); call before building the image.
  std::optional<Error> check_size(int64_t width, int64_t height) const;
  // Computes `img` into memory (C-contiguous, band-interleaved) so custom code
  // can read pixels; stops early with the deadline/cancel Error.
  Result<vips::VImage> materialize(const vips::VImage& img) const;

 private:
  const Stop& stop_;
  uint64_t max_pixels_;
};

class Op {
 public:
  virtual ~Op() = default;
  virtual const OpSpec& spec() const = 0;
  virtual Result<Image> run(const OpInputs& in, const PropertyValues& props, const OpContext& ctx) const = 0;
};

// Convenience base: holds the spec given at construction.
class SpecOp : public Op {
 public:
  explicit SpecOp(OpSpec spec) : spec_(std::move(spec)) {}
  const OpSpec& spec() const final { return spec_; }

 private:
  OpSpec spec_;
};

}  // namespace imgflo::runtime

// The op registry: component name -> op.
//
// Built once at start-up (register_builtin_ops lists every op explicitly; no
// static-initialiser magic) and read-only afterwards, so lookups are safe from
// any thread.
#pragma once

#include "runtime/op.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::runtime {

class OpRegistry {
 public:
  OpRegistry() = default;
  OpRegistry(const OpRegistry&) = delete;
  OpRegistry& operator=(const OpRegistry&) = delete;

  // Adds an op under its spec().component. A second op with the same name is a bug.
  void add(std::unique_ptr<Op> op);
  // Makes `alias` resolve to the op registered as `component` (e.g. gegl/grey -> gegl/gray).
  void alias(const std::string& alias, const std::string& component);

  // nullptr when unknown.
  const Op* find(std::string_view component) const;
  std::vector<const Op*> all() const;

 private:
  std::vector<std::unique_ptr<Op>> ops_;
  std::map<std::string, const Op*, std::less<>> by_name_;
};

// Registers every built-in imgflo op (one per file in runtime/ops/).
void register_builtin_ops(OpRegistry& registry);

// The process-wide registry with the built-in ops (built on first use).
const OpRegistry& builtin_registry();

}  // namespace imgflo::runtime

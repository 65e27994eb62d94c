#include "runtime/registry.h"

#include <cassert>

namespace imgflo::runtime {

void OpRegistry::add(std::unique_ptr<Op> op) {
  const std::string name = op->spec().component;
  assert(!by_name_.count(name) && "op registered twice");
  by_name_[name] = op.get();
  ops_.push_back(std::move(op));
}

void OpRegistry::alias(const std::string& alias, const std::string& component) {
  const Op* op = find(component);
  assert(op && "alias of an unknown op");
  by_name_[alias] = op;
}

const Op* OpRegistry::find(std::string_view component) const {
  auto it = by_name_.find(component);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<const Op*> OpRegistry::all() const {
  std::vector<const Op*> out;
  for (const auto& op : ops_) out.push_back(op.get());
  return out;
}

const OpRegistry& builtin_registry() {
  static const OpRegistry* registry = [] {
    auto* r = new OpRegistry();  // intentionally never destroyed (used until exit)
    register_builtin_ops(*r);
    return r;
  }();
  return *registry;
}

}  // namespace imgflo::runtime

#include "runtime/ops/retro_tables.h"

#include "runtime/embedded_data.h"

#include <nlohmann/json.hpp>

#include <string>

namespace imgflo::runtime::ops {

namespace {

constexpr int kPresets = 4;  // prog, indie, batcave, country

Result<RetroCurve> read_curve(const nlohmann::json& tables, const std::string& key) {
  auto it = tables.find(key);
  if (it == tables.end() || !it->is_array() || it->size() < 256) {
    return Error(ErrorKind::kInternal, "retro-curve tables: " + key + " missing or shorter than 256 entries");
  }
  RetroCurve curve{};
  for (size_t i = 0; i < curve.size(); ++i) {
    const auto& v = (*it)[i];
    if (!v.is_number_integer() || v.get<int>() < 0 || v.get<int>() > 255) {
      return Error(ErrorKind::kInternal, "retro-curve tables: " + key + " has a value outside 0..255");
    }
    curve[i] = static_cast<uint8_t>(v.get<int>());
  }
  return curve;
}

Result<std::array<RetroPresetTables, kPresets>> parse_all() {
  const auto doc = nlohmann::json::parse(embedded::kRetroCurveTablesJson, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("tables") || !doc["tables"].is_object()) {
    return Error(ErrorKind::kInternal, "retro-curve tables: embedded JSON has no \"tables\" object");
  }
  const auto& tables = doc["tables"];
  std::array<RetroPresetTables, kPresets> all{};
  for (int p = 0; p < kPresets; ++p) {
    const std::string prefix(retro_table_prefix(static_cast<RetroPreset>(p + 1)));
    const char* channels[] = {"_R", "_G", "_B"};
    for (int c = 0; c < 3; ++c) {
      auto curve = read_curve(tables, prefix + channels[c]);
      if (!curve.ok()) return curve.take_error();
      all[p].channel[c] = *curve;
    }
    auto master = read_curve(tables, prefix + "_A");
    if (!master.ok()) return master.take_error();
    all[p].master = *master;
  }
  return all;
}

}  // namespace

std::string_view retro_table_prefix(RetroPreset preset) {
  switch (preset) {
    case RetroPreset::kProg: return "NINE";
    case RetroPreset::kIndie: return "BRANNAN";
    case RetroPreset::kBatcave: return "GOTHAM";
    case RetroPreset::kCountry: return "NASHVILLE";
    case RetroPreset::kNone: break;
  }
  return "";
}

Result<const RetroPresetTables*> retro_preset_tables(RetroPreset preset) {
  static const auto all = parse_all();
  if (!all.ok()) return all.error();
  if (preset == RetroPreset::kNone) return Error(ErrorKind::kInternal, "retro-curve preset none has no tables");
  return &(*all)[static_cast<int>(preset) - 1];
}

}  // namespace imgflo::runtime::ops

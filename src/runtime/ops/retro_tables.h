// The curves of imgfloextra/retro-curve, parsed once from the copy of
// data/retro-curve-tables.json compiled into the binary.
//
// Each preset has four 256-entry u8 tables: one per channel (R, G, B) and a
// master table "A" applied after them. The JSON keys name the presets after
// the Instagram filters they imitate; the op's enum nicks map as
//   prog -> NINE (1977), indie -> BRANNAN, batcave -> GOTHAM,
//   country -> NASHVILLE.
// The published arrays have 257 entries (the last repeats); lookups index with
// a u8, so only the first 256 are used.
//
// Thread-safety: the tables are built on first use (thread-safe static
// initialisation) and read-only afterwards.
#pragma once

#include "core/error.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace imgflo::runtime::ops {

// Index order = the op's enum order.
enum class RetroPreset { kNone = 0, kProg, kIndie, kBatcave, kCountry };

using RetroCurve = std::array<uint8_t, 256>;

struct RetroPresetTables {
  std::array<RetroCurve, 3> channel;  // R, G, B
  RetroCurve master;                  // "A", applied after the channel table
};

// JSON key prefix of a preset ("NINE", ...); "" for kNone.
std::string_view retro_table_prefix(RetroPreset preset);

// The tables of `preset` (not kNone). kInternal when the embedded JSON is
// malformed (a build problem; a unit test guards it).
Result<const RetroPresetTables*> retro_preset_tables(RetroPreset preset);

}  // namespace imgflo::runtime::ops

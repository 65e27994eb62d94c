// Value components: core/Split, objects/ExtractProperty, math/Add,
// strings/SubStr, md5/CalculateHash, seedrandom/RandomArray. Named and
// ported as in the NoFlo libraries the original graphs used.
#include "canvas/component.h"
#include "core/digest.h"
#include "canvas/seedrandom.h"
#include "canvas/text.h"

#include <cmath>
#include <random>

namespace imgflo::canvas {

namespace {

// Upper bound on RandomArray's count: keeps a request from allocating without limit.
constexpr double kMaxRandomCount = 100000;

Result<Value> split(const Ports& in, DrawContext&) { return in["in"]; }

Result<Value> extract_property(const Ports& in, DrawContext&) {
  const auto key = to_string(in["key"]);
  if (!in["in"].is_object() || !key) return Value();
  const auto it = in["in"].find(*key);
  return it == in["in"].end() ? Value() : *it;
}

Result<Value> add(const Ports& in, DrawContext&) {
  const auto a = to_number(in["augend"]), b = to_number(in["addend"]);
  if (!a || !b) return Value();
  return Value(*a + *b);
}

// s.substr(index, limit); index defaults to 0, limit to "the rest".
Result<Value> substr(const Ports& in, DrawContext&) {
  const auto s = to_string(in["in"]);
  if (!s) return Value();
  const double index = to_number(in["index"]).value_or(0);
  const auto limit = to_number(in["limit"]);
  return Value(js_substr(*s, index, limit ? &*limit : nullptr));
}

Result<Value> md5(const Ports& in, DrawContext&) {
  const auto s = to_string(in["in"]);
  if (!s) return Value();
  return Value(md5_hex(*s));
}

// seedrandom turns a non-string seed into its string form plus a NUL; a
// missing seed means a fresh random one (the original "autoseeded").
std::string seed_string(const Value& seed) {
  if (seed.is_string()) return seed.get<std::string>();
  if (auto s = to_string(seed)) return *s + '\0';
  std::random_device rd;
  std::string fresh;
  for (int i = 0; i < 8; ++i) fresh += std::to_string(rd());
  return fresh;
}

// `count` numbers min + prng() * (max - min) from a generator seeded anew
// each time; a count of exactly 1 sends a single number.
Result<Value> random_array(const Ports& in, DrawContext&) {
  const auto min = to_number(in["min"]), max = to_number(in["max"]), count = to_number(in["count"]);
  if (!min || !max || !count || *count < 1) return Value();
  if (*count > kMaxRandomCount) {
    return Error(ErrorKind::kInvalidArgument, "seedrandom/RandomArray: count over " +
                                                  std::to_string(static_cast<int>(kMaxRandomCount)));
  }
  SeedRandom prng(seed_string(in["seed"]));
  const double spread = *max - *min;
  if (*count == 1) return Value(*min + prng.next() * spread);
  Value numbers = Value::array();
  for (int i = 0, n = static_cast<int>(std::floor(*count)); i < n; ++i) numbers.push_back(*min + prng.next() * spread);
  return numbers;
}

}  // namespace

std::vector<ComponentSpec> data_components() {
  return {
      {"core/Split", "Forwards its input", {{"in", "all", "Any value"}}, "out", split},
      {"objects/ExtractProperty",
       "Sends the value of one property of an object",
       {{"in", "object", "Object"}, {"key", "string", "Property name"}},
       "out",
       extract_property},
      {"math/Add",
       "Adds two numbers",
       {{"augend", "number", "First number"}, {"addend", "number", "Second number"}},
       "sum",
       add},
      {"strings/SubStr",
       "Part of a string: limit characters from index",
       {{"in", "string", "String"}, {"index", "int", "Start index"}, {"limit", "int", "Number of characters"}},
       "out",
       substr},
      {"md5/CalculateHash", "MD5 of a string, as hex", {{"in", "string", "String to hash"}}, "hash", md5},
      {"seedrandom/RandomArray",
       "Seeded random numbers in [min, max)",
       {{"seed", "string", "Seed of the generator"},
        {"min", "number", "Smallest value"},
        {"max", "number", "Upper bound"},
        {"count", "int", "How many numbers"}},
       "numbers",
       random_array},
  };
}

}  // namespace imgflo::canvas

// core/log_format: the text and JSON log lines, for any bytes.
#include "core/log_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>
#include <regex>

namespace imgflo {
namespace {

using WallClock = std::chrono::system_clock;  // not core/clock.h's Clock (unity batches)

// 2026-12-05T19:21:16.123Z
const WallClock::time_point kTime = WallClock::time_point(std::chrono::milliseconds(1796498476123));

std::string line(LogFormat format, std::string_view message, std::initializer_list<LogField> fields,
                 spdlog::level::level_enum level = spdlog::level::info, std::string_view program = {}) {
  std::string out;
  append_log_line(out, format, level, kTime, message, std::span<const LogField>(fields.begin(), fields.size()),
                  program);
  return out;
}

// Every byte value, and the ill-formed UTF-8 sequences a hostile path may carry.
std::string hostile_bytes() {
  std::string s;
  for (int c = 0; c < 256; ++c) s += static_cast<char>(c);
  s += "\xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \xE2\x82 \"}\n{\"level\":\"error\"}";
  return s;
}

TEST(LogFormat, ParsesItsNames) {
  EXPECT_EQ(parse_log_format("text"), LogFormat::kText);
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(parse_log_format("JSON"), std::nullopt);
  EXPECT_EQ(parse_log_format(""), std::nullopt);
}

TEST(LogFormat, JsonLineHasTimeLevelMessageAndFields) {
  const std::string l = line(LogFormat::kJson, "job",
                             {{"graph", "crop"},
                              {"status", 422},
                              {"bytes", uint64_t{1} << 63},
                              {"seconds", 0.25},
                              {"cached", false},
                              {"delta", -3}},
                             spdlog::level::warn);
  ASSERT_EQ(l.back(), '\n');
  EXPECT_EQ(std::count(l.begin(), l.end(), '\n'), 1);
  EXPECT_EQ(l.rfind("{\"time\":\"2026-12-05T19:21:16.123Z\",\"level\":\"warning\",\"message\":\"job\",", 0), 0u) << l;
  const auto j = nlohmann::json::parse(l);
  EXPECT_EQ(j["graph"], "crop");
  EXPECT_EQ(j["status"], 422);
  EXPECT_EQ(j["bytes"].get<uint64_t>(), uint64_t{1} << 63);
  EXPECT_EQ(j["seconds"], 0.25);
  EXPECT_EQ(j["cached"], false);
  EXPECT_EQ(j["delta"], -3);
}

TEST(LogFormat, JsonSurvivesAnyBytes) {
  const std::string hostile = hostile_bytes();
  const std::string l = line(LogFormat::kJson, hostile, {{"path", hostile}, {hostile, "name"}});
  EXPECT_EQ(std::count(l.begin(), l.end(), '\n'), 1) << "a byte broke the line";
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(l)) << l;
  EXPECT_EQ(j["level"], "info") << "a message overrode a member";
  const std::string path = j["path"];
  EXPECT_EQ(path, j["message"].get<std::string>());
  EXPECT_NE(path.find("\"}\n{\"level\":\"error\"}"), std::string::npos) << "the quote and newline are data";
  EXPECT_NE(path.find("\xEF\xBF\xBD"), std::string::npos) << "broken UTF-8 becomes U+FFFD";
  for (int c = 1; c < 128; ++c) EXPECT_NE(path.find(static_cast<char>(c)), std::string::npos) << c;
}

TEST(LogFormat, JsonKeepsValidUtf8AsIs) {
  const std::string text = "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80 \xE2\x80\xA8";
  const auto j = nlohmann::json::parse(line(LogFormat::kJson, text, {{"v", text}}));
  EXPECT_EQ(j["message"], text);
  EXPECT_EQ(j["v"], text);
}

TEST(LogFormat, JsonNonFiniteNumbersAreNull) {
  const auto j = nlohmann::json::parse(line(LogFormat::kJson, "m", {{"nan", std::nan("")}, {"inf", 1.0 / 0.0}}));
  EXPECT_TRUE(j["nan"].is_null());
  EXPECT_TRUE(j["inf"].is_null());
}

TEST(LogFormat, JsonNamesTheProgramWhenGiven) {
  const auto j = nlohmann::json::parse(line(LogFormat::kJson, "m", {}, spdlog::level::err, "imgflo-process"));
  EXPECT_EQ(j["program"], "imgflo-process");
  EXPECT_EQ(j["level"], "error");
}

TEST(LogFormat, TextLineIsTimeLevelMessageAndPairs) {
  EXPECT_EQ(line(LogFormat::kText, "job done",
                 {{"graph", "crop"},
                  {"status", 200},
                  {"input", "http://h/a b.jpg"},
                  {"empty", ""},
                  {"ms", 1.5},
                  {"ok", true}}),
            "2026-12-05T19:21:16.123Z [info] job done graph=crop status=200 input=\"http://h/a b.jpg\" empty=\"\" "
            "ms=1.5 ok=true\n");
}

TEST(LogFormat, TextEscapesControlBytesQuotesAndBrokenUtf8) {
  EXPECT_EQ(line(LogFormat::kText, "a\nb\x1b[31m\xFF", {{"p", "x\"y\\z\r\t="}}),
            "2026-12-05T19:21:16.123Z [info] a\\nb\\x1b[31m\\xff p=\"x\\\"y\\\\z\\r\\t=\"\n");
  const std::string l = line(LogFormat::kText, hostile_bytes(), {{"path", hostile_bytes()}});
  EXPECT_EQ(std::count(l.begin(), l.end(), '\n'), 1);
  for (char c : l.substr(0, l.size() - 1)) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << l;
}

TEST(LogFormat, TextForAProgramIsACommandLineMessage) {
  EXPECT_EQ(line(LogFormat::kText, "profile ignored", {{"file", "a.jpg"}}, spdlog::level::warn, "imgflo-process"),
            "imgflo-process: warning: profile ignored file=a.jpg\n");
}

TEST(LogFormat, DecimalsAreShortestRoundTrip) {
  std::string out;
  append_decimal(out, int64_t{-7});
  out += ' ';
  append_decimal(out, UINT64_MAX);
  out += ' ';
  append_decimal(out, 0.0005);
  out += ' ';
  append_decimal(out, 30.0);
  EXPECT_EQ(out, "-7 18446744073709551615 0.0005 30");
}

TEST(LogFormat, TimeIsUtcWithMilliseconds) {
  const std::regex iso(R"(^\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")");
  std::string out;
  append_log_line(out, LogFormat::kJson, spdlog::level::info, WallClock::now(), "m", {});
  EXPECT_TRUE(std::regex_search(out, iso)) << out;
  out.clear();
  append_log_line(out, LogFormat::kJson, spdlog::level::info, kTime + std::chrono::milliseconds(877), "m", {});
  EXPECT_EQ(out.rfind("{\"time\":\"2026-12-05T19:21:17.000Z\"", 0), 0u) << out;
}

}  // namespace
}  // namespace imgflo

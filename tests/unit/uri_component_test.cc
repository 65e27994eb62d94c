// encode_uri_component (core/query.h) against outputs of JavaScript's
// encodeURIComponent, computed with Node 20 (node -e 'encodeURIComponent(...)').
#include "core/query.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace imgflo {
namespace {

TEST(EncodeUriComponent, MatchesJavaScript) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"abc", "abc"},
      {"a b", "a%20b"},
      {"a+b=c&d", "a%2Bb%3Dc%26d"},
      {"100%", "100%25"},
      {"#frag", "%23frag"},
      {"/path?q", "%2Fpath%3Fq"},
      {"\"quoted\" 'single'", "%22quoted%22%20'single'"},
      {"-_.!~*()", "-_.!~*()"},
      {"h\xC3\xA9llo", "h%C3%A9llo"},
      {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "%E6%97%A5%E6%9C%AC%E8%AA%9E"},
      {"\xF0\x9F\x98\x80", "%F0%9F%98%80"},
      {"http://example.com/a.jpg?x=1&y=2", "http%3A%2F%2Fexample.com%2Fa.jpg%3Fx%3D1%26y%3D2"},
      {"[]{}|\\^`<>", "%5B%5D%7B%7D%7C%5C%5E%60%3C%3E"},
      {"\t\n\r", "%09%0A%0D"},
      {":;@$,", "%3A%3B%40%24%2C"},
      {std::string(1, '\0'), "%00"},
  };
  for (const auto& [text, js] : cases) EXPECT_EQ(encode_uri_component(text), js) << text;
}

// Node reads ill-formed UTF-8 (argv, Buffer.toString) as U+FFFD; so do we.
TEST(EncodeUriComponent, IllFormedUtf8IsEncodedAsTheReplacementCharacter) {
  EXPECT_EQ(encode_uri_component("a\xFF" "b"), "a%EF%BF%BDb");
  // Node 20: encodeURIComponent(Buffer.from([...]).toString()), one U+FFFD per maximal subpart.
  const std::string r = "%EF%BF%BD";
  EXPECT_EQ(encode_uri_component("\xED\xA0\x80"), r + r + r);  // a UTF-8-encoded surrogate
  EXPECT_EQ(encode_uri_component("\xF0\x9F\x98"), r);          // a truncated 4-byte sequence
  EXPECT_EQ(encode_uri_component("\xC0\xAF"), r + r);           // overlong
  EXPECT_EQ(encode_uri_component("\xE0\x80\x80"), r + r + r);  // overlong
  EXPECT_EQ(encode_uri_component("\xF0\x9F\x98" "A"), r + "A");
  EXPECT_EQ(encode_uri_component("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_EQ(encode_uri_component("\xE2\x82"), r);
}

TEST(EncodeUriComponent, RoundTripsThroughTheQueryDecoder) {
  const std::string text = "a b+c&d=e%f#g/h?i\xE2\x82\xAC";
  EXPECT_EQ(percent_decode(encode_uri_component(text)), text);
}

}  // namespace
}  // namespace imgflo

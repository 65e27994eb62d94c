#include "support/prometheus_text.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <stdexcept>

namespace imgflo::test {

namespace {

struct Broken : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool name_start(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}
bool name_char(char c, bool colon) { return name_start(c, colon) || (c >= '0' && c <= '9'); }

// A name at `pos` (advanced past it).
std::string read_name(const std::string& s, size_t& pos, bool colon) {
  const size_t start = pos;
  if (pos >= s.size() || !name_start(s[pos], colon)) throw Broken("a name expected at column " + std::to_string(pos));
  while (pos < s.size() && name_char(s[pos], colon)) ++pos;
  return s.substr(start, pos - start);
}

// An escaped text up to `end` (or the line's end when end is 0): only the escapes in `allowed`.
std::string unescape(const std::string& s, size_t& pos, char end, const std::string& allowed) {
  std::string out;
  while (pos < s.size() && s[pos] != end) {
    char c = s[pos++];
    if (c == '\\') {
      if (pos >= s.size() || allowed.find(s[pos]) == std::string::npos) throw Broken("a bad escape");
      c = s[pos++];
      if (c == 'n') c = '\n';
    }
    out += c;
  }
  return out;
}

double read_value(const std::string& text) {
  if (text == "NaN") return NAN;
  if (text == "+Inf" || text == "Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text.empty()) throw Broken("no value");
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || text.find_first_of("xXnN") != std::string::npos) {
    throw Broken("not a float: " + text);
  }
  return v;
}

PromSample read_sample(const std::string& line) {
  PromSample s;
  size_t pos = 0;
  s.name = read_name(line, pos, true);
  if (pos < line.size() && line[pos] == '{') {
    ++pos;
    while (pos < line.size() && line[pos] != '}') {
      std::string label = read_name(line, pos, false);
      if (line.compare(pos, 2, "=\"") != 0) throw Broken("label " + label + " without =\"");
      pos += 2;
      std::string value = unescape(line, pos, '"', "\\\"n");
      if (pos >= line.size()) throw Broken("an unterminated label value");
      ++pos;
      if (!s.labels.emplace(label, value).second) throw Broken("label " + label + " twice");
      if (pos < line.size() && line[pos] == ',') ++pos;
    }
    if (pos >= line.size()) throw Broken("no closing brace");
    ++pos;
  }
  if (pos >= line.size() || line[pos] != ' ') throw Broken("no space before the value");
  std::istringstream rest(line.substr(pos + 1));
  std::string value, timestamp, extra;
  rest >> value >> timestamp >> extra;
  if (!extra.empty()) throw Broken("text after the timestamp");
  s.value = read_value(value);
  return s;
}

// The family a sample belongs to: its name, or the histogram/summary it is a part of.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string sfx(suffix);
    if (name.size() > sfx.size() && name.ends_with(sfx)) {
      const std::string base = name.substr(0, name.size() - sfx.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return name;
}

std::string series_key(const std::string& name, std::map<std::string, std::string> labels, bool drop_le) {
  if (drop_le) labels.erase("le");
  std::string k = name + "{";
  for (const auto& [l, v] : labels) k += l + "=" + v + "\x1f";
  return k + "}";
}

// Histogram rules over every sample of histogram family `base`.
void check_histogram(const std::string& base, const std::vector<PromSample>& samples) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // le, cumulative count, in order
    std::optional<double> count, sum;
  };
  std::map<std::string, Series> series;
  for (const auto& s : samples) {
    if (family_of(s.name, {{base, "histogram"}}) != base) continue;
    Series& h = series[series_key(base, s.labels, true)];
    if (s.name == base + "_bucket") {
      auto le = s.labels.find("le");
      if (le == s.labels.end()) throw Broken(base + "_bucket without le");
      h.buckets.emplace_back(read_value(le->second), s.value);
    } else if (s.name == base + "_count") {
      h.count = s.value;
    } else if (s.name == base + "_sum") {
      h.sum = s.value;
    } else {
      throw Broken("histogram " + base + " has a sample " + s.name);
    }
  }
  for (const auto& [key, h] : series) {
    if (h.buckets.empty() || !std::isinf(h.buckets.back().first)) throw Broken(key + ": no le=\"+Inf\" bucket last");
    for (size_t i = 1; i < h.buckets.size(); ++i) {
      if (h.buckets[i].first <= h.buckets[i - 1].first) throw Broken(key + ": le not increasing");
      if (h.buckets[i].second < h.buckets[i - 1].second) throw Broken(key + ": bucket counts decrease");
    }
    if (!h.count || *h.count != h.buckets.back().second) throw Broken(key + ": _count differs from the +Inf bucket");
    if (!h.sum) throw Broken(key + ": no _sum");
  }
}

void read_comment(const std::string& line, PromExposition& e, const std::set<std::string>& seen) {
  const bool help = line.starts_with("# HELP ");
  const bool type = line.starts_with("# TYPE ");
  if (!help && !type) return;  // a plain comment
  size_t pos = 7;
  const std::string name = read_name(line, pos, true);
  if (pos < line.size() && line[pos] != ' ') throw Broken("a bad metric name in a comment");
  if (pos < line.size()) ++pos;
  if (help) {
    if (!e.help.emplace(name, unescape(line, pos, '\0', "\\n")).second) throw Broken("HELP twice for " + name);
    return;
  }
  const std::string t = line.substr(pos);
  static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
  if (!kTypes.count(t)) throw Broken("unknown type " + t);
  if (seen.count(name)) throw Broken("TYPE of " + name + " after its samples");
  if (!e.types.emplace(name, t).second) throw Broken("TYPE twice for " + name);
}

}  // namespace

std::optional<double> PromExposition::sum(const std::string& name,
                                          const std::map<std::string, std::string>& labels) const {
  std::optional<double> total;
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [l, v] : labels) {
      auto it = s.labels.find(l);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (match) total = total.value_or(0) + s.value;
  }
  return total;
}

PromParse parse_exposition(const std::string& text) {
  PromParse out;
  PromExposition& e = out.exposition;
  size_t line_no = 0;
  try {
    if (!text.empty() && text.back() != '\n') throw Broken("the text does not end with a newline");
    std::set<std::string> seen, closed, series;  // families with samples, families whose group ended
    std::string current;
    size_t start = 0;
    while (start < text.size()) {
      ++line_no;
      const size_t end = text.find('\n', start);
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      if (line[0] == '#') {
        read_comment(line, e, seen);
        continue;
      }
      PromSample s = read_sample(line);
      const std::string family = family_of(s.name, e.types);
      if (family != current) {
        if (closed.count(family)) throw Broken("the samples of " + family + " are not in one group");
        if (!current.empty()) closed.insert(current);
        current = family;
      }
      if (!series.insert(series_key(s.name, s.labels, false)).second) throw Broken("a series twice: " + line);
      seen.insert(family);
      e.samples.push_back(std::move(s));
    }
    line_no = 0;
    for (const auto& [name, type] : e.types) {
      if (type == "histogram") check_histogram(name, e.samples);
    }
  } catch (const Broken& b) {
    out.error = (line_no ? "line " + std::to_string(line_no) + ": " : std::string()) + b.what();
  }
  return out;
}

}  // namespace imgflo::test

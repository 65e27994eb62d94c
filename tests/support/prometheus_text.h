// A strict reader of the Prometheus text exposition format 0.0.4, for tests of
// GET /metrics and of core/metrics.h:
//   - every line ends with \n; "# HELP name text" (escapes \\ and \n only),
//     "# TYPE name counter|gauge|histogram|summary|untyped" at most once per
//     name and before its samples; other "#" lines are comments;
//   - samples: name{label="value",...} value, names as the format allows,
//     label values with the escapes \\, \" and \n only, values Go floats
//     (NaN, +Inf, -Inf included), no series twice, a metric's lines in one
//     group;
//   - histograms: per label set, _bucket lines with an "le" label in
//     increasing order, cumulative counts never decreasing, the last one
//     le="+Inf" and equal to _count, and a _sum.
// parse_exposition() returns the samples, or the first rule broken (line number and why).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace imgflo::test {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct PromExposition {
  std::vector<PromSample> samples;
  std::map<std::string, std::string> types;  // metric family -> type
  std::map<std::string, std::string> help;   // metric family -> help text (unescaped)
  // The value of the sample `name` whose labels include `labels`, summed over
  // every matching sample; nullopt when none matches.
  std::optional<double> sum(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
};

// The samples of `text`, or an error string ("line N: why").
struct PromParse {
  PromExposition exposition;
  std::string error;  // empty when `text` follows every rule above
};
PromParse parse_exposition(const std::string& text);

}  // namespace imgflo::test

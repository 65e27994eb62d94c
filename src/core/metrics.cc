#include "core/metrics.h"

#include "core/text.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace imgflo::metrics {

namespace detail {

namespace {

constexpr size_t kCellsPerLine = 64 / sizeof(std::atomic<uint64_t>);

std::atomic<size_t> next_shards_id{0};

// One thread's cells of one child, on cache lines of their own.
struct Block {
  explicit Block(size_t cells) {
    const size_t lines = (cells + kCellsPerLine - 1) / kCellsPerLine;
    raw.reset(new std::atomic<uint64_t>[(lines + 1) * kCellsPerLine]());
    const auto addr = reinterpret_cast<uintptr_t>(raw.get());
    start = raw.get() + ((64 - addr % 64) % 64) / sizeof(std::atomic<uint64_t>);
  }
  std::unique_ptr<std::atomic<uint64_t>[]> raw;
  std::atomic<uint64_t>* start = nullptr;
};

}  // namespace

struct Shards::State {
  explicit State(size_t n) : cells(n) {}
  const size_t cells;
  std::mutex mu;
  std::vector<std::unique_ptr<Block>> owned;      // guarded by mu: every block ever made
  std::vector<std::atomic<uint64_t>*> blocks;      // guarded by mu: their cells, for for_each()
  std::vector<std::atomic<uint64_t>*> free;        // guarded by mu: cells of exited threads
};

namespace {

// The calling thread's cells by Shards id; hands them back when the thread exits.
struct ThreadCells {
  std::vector<std::atomic<uint64_t>*> by_id;
  std::vector<std::pair<std::weak_ptr<Shards::State>, std::atomic<uint64_t>*>> held;
  ~ThreadCells() {
    for (auto& [weak, cells] : held) {
      if (auto state = weak.lock()) {
        std::lock_guard lock(state->mu);
        state->free.push_back(cells);
      }
    }
  }
};

ThreadCells& this_thread_cells() {
  thread_local ThreadCells cells;
  return cells;
}

}  // namespace

Shards::Shards(size_t cells) : id_(next_shards_id.fetch_add(1)), state_(new State(cells)) {}

Shards::~Shards() = default;

std::vector<std::atomic<uint64_t>*>& Shards::thread_cells() { return this_thread_cells().by_id; }

void Shards::for_each(const std::function<void(const std::atomic<uint64_t>*)>& fn) const {
  std::lock_guard lock(state_->mu);
  for (const std::atomic<uint64_t>* cells : state_->blocks) fn(cells);
}

size_t Shards::blocks() const {
  std::lock_guard lock(state_->mu);
  return state_->blocks.size();
}

std::atomic<uint64_t>* Shards::attach() {
  std::atomic<uint64_t>* cells = nullptr;
  {
    std::lock_guard lock(state_->mu);
    if (!state_->free.empty()) {
      cells = state_->free.back();
      state_->free.pop_back();
    } else {
      state_->owned.push_back(std::make_unique<Block>(state_->cells));
      cells = state_->owned.back()->start;
      state_->blocks.push_back(cells);
    }
  }
  ThreadCells& mine = this_thread_cells();
  if (mine.by_id.size() <= id_) mine.by_id.resize(id_ + 1, nullptr);
  mine.by_id[id_] = cells;
  mine.held.emplace_back(state_, cells);
  return cells;
}

}  // namespace detail

namespace {

double as_double(uint64_t bits) { return std::bit_cast<double>(bits); }
uint64_t as_bits(double v) { return std::bit_cast<uint64_t>(v); }

bool name_char(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon)) return false;
  }
  return true;
}

void check_bounds(const std::vector<double>& bounds) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw std::invalid_argument("histogram bounds must be finite and strictly increasing");
    }
  }
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : valid_utf8(help)) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// name{labels} value\n (no braces when `labels` is empty).
void write_sample(std::string& out, std::string_view name, std::string_view labels, std::string_view value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(value).append("\n");
}

void write_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(escape_help(help)).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Whole numbers (counts, bytes) as integers, never in exponent form.
  const bool whole = v == std::trunc(v) && std::fabs(v) < 1e17;
  auto [end, ec] = whole ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  for (char c : valid_utf8(v)) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

uint64_t Counter::value() const {
  uint64_t total = 0;
  shards_.for_each([&](const std::atomic<uint64_t>* cells) { total += cells[0].load(std::memory_order_relaxed); });
  return total;
}

Histogram::Histogram(const std::vector<double>& bounds) : bounds_(bounds), shards_(bounds.size() + 2) {}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  std::atomic<uint64_t>* cells = shards_.local();
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  detail::add_own(cells[bucket], 1);
  std::atomic<uint64_t>& sum = cells[bounds_.size() + 1];
  sum.store(as_bits(as_double(sum.load(std::memory_order_relaxed)) + v), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.buckets.assign(bounds_.size() + 1, 0);
  shards_.for_each([&](const std::atomic<uint64_t>* cells) {
    for (size_t i = 0; i < s.buckets.size(); ++i) s.buckets[i] += cells[i].load(std::memory_order_relaxed);
    s.sum += as_double(cells[bounds_.size() + 1].load(std::memory_order_relaxed));
  });
  for (uint64_t b : s.buckets) s.count += b;
  return s;
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  std::vector<double> out;
  for (double b = start; static_cast<int>(out.size()) < count; b *= factor) out.push_back(b);
  return out;
}

namespace detail {

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> labels, const char* type)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), type_(type) {
  if (!valid_name(name_, /*colon=*/true)) throw std::invalid_argument("bad metric name: " + name_);
  for (const auto& l : labels_) {
    if (!valid_name(l, false) || l.starts_with("__") || l == "le") {
      throw std::invalid_argument("bad label name for " + name_ + ": " + l);
    }
  }
}

std::vector<std::string> FamilyBase::key(std::initializer_list<std::string_view> values) const {
  if (values.size() != labels_.size()) {
    throw std::invalid_argument(name_ + " takes " + std::to_string(labels_.size()) + " label values");
  }
  return std::vector<std::string>(values.begin(), values.end());
}

std::string FamilyBase::label_text(const std::vector<std::string>& key) const {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0) out += ",";
    out.append(labels_[i]).append("=\"").append(escape_label_value(key[i])).append("\"");
  }
  return out;
}

void FamilyBase::render_header(std::string& out) const { write_header(out, name_, help_, type_); }

}  // namespace detail

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> labels)
    : Family(std::move(name), std::move(help), std::move(labels), "counter") {
  if (labels_.empty()) with({});
}

void CounterFamily::render(std::string& out) const {
  render_header(out);
  for_each([&](const std::string& labels, const Counter& c) {
    write_sample(out, name_, labels, std::to_string(c.value()));
  });
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> labels)
    : Family(std::move(name), std::move(help), std::move(labels), "gauge") {
  if (labels_.empty()) with({});
}

void GaugeFamily::render(std::string& out) const {
  render_header(out);
  for_each([&](const std::string& labels, const Gauge& g) { write_sample(out, name_, labels, format_value(g.value())); });
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                                 std::vector<double> bounds)
    : Family(std::move(name), std::move(help), std::move(labels), "histogram"), bounds_(std::move(bounds)) {
  check_bounds(bounds_);
  if (labels_.empty()) with({});
}

void HistogramFamily::render(std::string& out) const {
  render_header(out);
  const std::string bucket = name_ + "_bucket";
  for_each([&](const std::string& labels, const Histogram& h) {
    const Histogram::Snapshot s = h.snapshot();
    const std::string sep = labels.empty() ? "" : ",";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.buckets.size(); ++i) {
      cumulative += s.buckets[i];
      const std::string le = i < bounds_.size() ? format_value(bounds_[i]) : "+Inf";
      write_sample(out, bucket, labels + sep + "le=\"" + le + "\"", std::to_string(cumulative));
    }
    write_sample(out, name_ + "_sum", labels, format_value(s.sum));
    write_sample(out, name_ + "_count", labels, std::to_string(s.count));
  });
}

void write_counter(std::string& out, std::string_view name, std::string_view help, uint64_t value) {
  write_header(out, name, help, "counter");
  write_sample(out, name, "", std::to_string(value));
}

void write_gauge(std::string& out, std::string_view name, std::string_view help, double value) {
  write_header(out, name, help, "gauge");
  write_sample(out, name, "", format_value(value));
}

}  // namespace imgflo::metrics

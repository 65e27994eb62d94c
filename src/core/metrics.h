// Prometheus primitives: counter, gauge and histogram families with labels,
// and their text exposition (format 0.0.4, what GET /metrics serves).
//
//   metrics::CounterFamily requests("imgflo_x_total", "Things done.", {"route", "status"});
//   metrics::Counter& ok = requests.with({"graph", "3xx"});  // look a child up once, keep the reference
//   ok.inc();                                                // hot path: no lock, no shared atomic
//   std::string text;
//   requests.render(text);  // # HELP, # TYPE, one line per child
//
// Families:
//   - Names are checked at construction (metric names [a-zA-Z_:][a-zA-Z0-9_:]*,
//     label names [a-zA-Z_][a-zA-Z0-9_]*, not "le" nor starting with "__");
//     a bad name is a programming error: std::invalid_argument.
//   - with(values) takes one value per label name, in order (another count:
//     std::invalid_argument), and returns the child for them, created on first
//     use. Children live as long as their family (references stay valid) and
//     are never removed: the caller bounds the label values (map anything
//     outside a known set to one value such as "other"), or a hostile input
//     grows the family without end. with() takes the family's mutex: cheap for
//     per-job use; keep the reference on per-request paths.
//   - A family without labels has its one child from the start (with({})), so
//     its zero value is exposed before the first update.
//   - render() appends the exposition: "# HELP name help" (help escaped: \\ and
//     \n), "# TYPE name counter|gauge|histogram", then the children in label
//     value order, label values escaped (\\, \", \n) and made valid UTF-8.
//     Histograms: name_bucket{...,le="b"} (cumulative, ending with le="+Inf"
//     equal to name_count), name_sum, name_count.
//
// Counters and histograms are sharded per thread: a thread that updates a
// child writes cells of its own (cache-line aligned, a relaxed load and store:
// no read-modify-write, no lock after the thread's first update of that
// child), and value()/render() sum the cells of every thread. A thread's
// cells outlive it (their counts stay in the sum) and are handed to the next
// thread that needs some, so memory follows the threads alive at once, not
// the threads ever started. A render() racing with updates sees each cell
// either before or after an update; a histogram's count is always the sum of
// its buckets.
//
// Gauges are one shared atomic (set/add): for values that are not updated on
// hot paths; values read from elsewhere at scrape time go through
// write_gauge()/write_counter().
//
// Thread-safe: every member may be called from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::metrics {

namespace detail {

// Per-thread cells of one counter or histogram child (see the header comment).
class Shards {
 public:
  explicit Shards(size_t cells);
  ~Shards();
  Shards(const Shards&) = delete;
  Shards& operator=(const Shards&) = delete;

  // The calling thread's cells (`cells` of them, zero at first). Only this
  // thread writes them until it exits.
  std::atomic<uint64_t>* local() {
    auto& mine = thread_cells();
    if (id_ < mine.size() && mine[id_]) return mine[id_];
    return attach();
  }
  // How many threads' cells exist (alive or handed back).
  size_t blocks() const;
  // Calls fn(cells) for every thread's cells, under the mutex.
  void for_each(const std::function<void(const std::atomic<uint64_t>*)>& fn) const;

  struct State;

 private:
  static std::vector<std::atomic<uint64_t>*>& thread_cells();
  std::atomic<uint64_t>* attach();

  const size_t id_;  // index into every thread's thread_cells(); never reused
  std::shared_ptr<State> state_;
};

// Adds `n` to a cell only the calling thread writes.
inline void add_own(std::atomic<uint64_t>& cell, uint64_t n) {
  cell.store(cell.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace detail

// A monotonic count (per-thread sharded).
class Counter {
 public:
  Counter() : shards_(1) {}
  void inc(uint64_t n = 1) { detail::add_own(shards_.local()[0], n); }
  // The sum over every thread.
  uint64_t value() const;
  // For tests: how many threads' cells this counter holds.
  size_t TEST_thread_cells() const { return shards_.blocks(); }

 private:
  detail::Shards shards_;
};

// A value that goes up and down (one shared atomic: not for hot paths).
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted in buckets with fixed upper bounds (per-thread sharded).
class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, finite and strictly increasing (the
  // +Inf bucket is implicit); must outlive the histogram.
  explicit Histogram(const std::vector<double>& bounds);
  // Counts `v` in the first bucket whose bound is >= v (the +Inf bucket past
  // the last bound) and adds it to the sum. NaN is ignored.
  void observe(double v);

  struct Snapshot {
    std::vector<uint64_t> buckets;  // per bucket (not cumulative), the last one +Inf
    double sum = 0;
    uint64_t count = 0;  // the sum of buckets
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double>& bounds_;
  detail::Shards shards_;  // bounds+1 bucket cells, then the sum's bits (a double)
};

// Bucket bounds: `count` bounds from `start`, each `factor` times the last.
std::vector<double> exponential_buckets(double start, double factor, int count);

namespace detail {

// What every family shares: names, help, the children by label values.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> labels, const char* type);
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return labels_; }

 protected:
  // The checked label values as a key; std::invalid_argument on a wrong count.
  std::vector<std::string> key(std::initializer_list<std::string_view> values) const;
  // `name="value",...` of `key` (escaped), without braces.
  std::string label_text(const std::vector<std::string>& key) const;
  // # HELP and # TYPE lines.
  void render_header(std::string& out) const;

  const std::string name_, help_;
  const std::vector<std::string> labels_;
  const char* const type_;
};

template <typename Child>
class Family : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;

 protected:
  struct Entry {
    std::string labels;  // label_text()
    std::unique_ptr<Child> child;
  };
  template <typename... Args>
  Child& find_or_add(std::initializer_list<std::string_view> values, Args&&... args) {
    std::vector<std::string> k = key(values);
    std::lock_guard lock(mu_);
    auto it = children_.find(k);
    if (it == children_.end()) {
      std::string text = label_text(k);
      it = children_.emplace(std::move(k), Entry{std::move(text), std::make_unique<Child>(args...)}).first;
    }
    return *it->second.child;
  }
  template <typename Fn>
  void for_each(Fn&& fn) const {
    std::lock_guard lock(mu_);
    for (const auto& [k, e] : children_) fn(e.labels, *e.child);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, Entry> children_;  // guarded by mu_
};

}  // namespace detail

class CounterFamily : public detail::Family<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> labels = {});
  Counter& with(std::initializer_list<std::string_view> values) { return find_or_add(values); }
  void render(std::string& out) const;
};

class GaugeFamily : public detail::Family<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> labels = {});
  Gauge& with(std::initializer_list<std::string_view> values) { return find_or_add(values); }
  void render(std::string& out) const;
};

class HistogramFamily : public detail::Family<Histogram> {
 public:
  // `bounds` as Histogram's (std::invalid_argument otherwise); shared by every child.
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labels, std::vector<double> bounds);
  Histogram& with(std::initializer_list<std::string_view> values) { return find_or_add(values, bounds_); }
  void render(std::string& out) const;

 private:
  const std::vector<double> bounds_;
};

// One unlabelled sample with its # HELP and # TYPE lines, for values read at
// scrape time (another component's statistics).
void write_counter(std::string& out, std::string_view name, std::string_view help, uint64_t value);
void write_gauge(std::string& out, std::string_view name, std::string_view help, double value);

// A sample value as the text format writes it: whole numbers below 1e17 as
// integers, others the shortest round-trip decimal, "+Inf", "-Inf", "NaN".
std::string format_value(double v);
// A label value escaped for the text format (\\, \", \n), made valid UTF-8.
std::string escape_label_value(std::string_view v);

}  // namespace imgflo::metrics

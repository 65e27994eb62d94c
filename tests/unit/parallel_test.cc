// runtime/parallel.h: the fork-join helper and its process-wide thread budget.
#include "runtime/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace imgflo::runtime {
namespace {

using std::chrono::microseconds;

// Raises `high` to at least `value`.
void raise_to(std::atomic<int>& high, int value) {
  int seen = high.load();
  while (value > seen && !high.compare_exchange_weak(seen, value)) {
  }
}

// Every test starts and ends with the default budget, none of it borrowed.
class Parallel : public ::testing::Test {
 protected:
  void SetUp() override { set_compute_threads(0); }
  void TearDown() override {
    set_compute_threads(0);
    EXPECT_EQ(compute_budget().in_use(), 0);
  }
};

TEST_F(Parallel, BudgetLendsWhatIsFreeWithoutBlocking) {
  ThreadBudget budget(3);
  EXPECT_EQ(budget.borrow(2), 2);
  EXPECT_EQ(budget.borrow(5), 1);
  EXPECT_EQ(budget.borrow(1), 0);
  EXPECT_EQ(budget.borrow(0), 0);
  budget.give_back(2);
  EXPECT_EQ(budget.in_use(), 1);
  budget.set_max(1);  // lowered below what is lent: nothing until returned
  EXPECT_EQ(budget.borrow(1), 0);
  budget.give_back(1);
  EXPECT_EQ(budget.borrow(4), 1);
  budget.give_back(1);
  EXPECT_EQ(budget.in_use(), 0);
}

TEST_F(Parallel, DefaultIsTheNumberOfCpus) {
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(compute_threads(), cpus);
  set_compute_threads(5);
  EXPECT_EQ(compute_threads(), 5);
  EXPECT_EQ(compute_budget().max(), 5);
  EXPECT_EQ(parallel_workers(3), 3);
  EXPECT_EQ(parallel_workers(100), 5);
  EXPECT_EQ(parallel_workers(0), 0);
}

TEST_F(Parallel, EveryJobRunsExactlyOnce) {
  set_compute_threads(4);
  constexpr int kJobs = 5000;
  std::vector<std::atomic<int>> runs(kJobs);
  std::atomic<int> bad_worker{0};
  auto e = parallel_for(kJobs, Stop{}, [&](int job, int worker) {
    runs[job]++;
    if (worker < 0 || worker >= parallel_workers(kJobs)) bad_worker++;
  });
  EXPECT_FALSE(e.has_value());
  for (int j = 0; j < kJobs; ++j) ASSERT_EQ(runs[j].load(), 1) << "job " << j;
  EXPECT_EQ(bad_worker.load(), 0);
  EXPECT_FALSE(parallel_for(0, Stop{}, [](int, int) { FAIL(); }).has_value());
}

TEST_F(Parallel, WorkersStayBelowMaxWorkers) {
  set_compute_threads(4);
  std::atomic<int> highest{-1};
  EXPECT_FALSE(parallel_for(200, Stop{}, [&](int, int worker) {
                 raise_to(highest, worker);
                 std::this_thread::sleep_for(microseconds(50));
               }, 2).has_value());
  EXPECT_LE(highest.load(), 1);
}

// Many callers at once (job workers running ops): the helper threads alive at
// any moment never exceed the budget, though each caller would like more.
TEST_F(Parallel, BudgetNeverExceededUnderManyConcurrentCallers) {
  constexpr int kBudget = 3, kCallers = 12, kJobs = 24;
  set_compute_threads(kBudget);
  std::atomic<int> helpers_live{0}, helpers_high{0}, working{0}, working_high{0}, lent_high{0}, jobs_run{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&] {
      const auto caller = std::this_thread::get_id();
      for (int round = 0; round < 10; ++round) {
        auto e = parallel_for(kJobs, Stop{}, [&](int, int) {
          const bool helper = std::this_thread::get_id() != caller;
          if (helper) raise_to(helpers_high, ++helpers_live);
          raise_to(working_high, ++working);
          raise_to(lent_high, compute_budget().in_use());
          std::this_thread::sleep_for(microseconds(200));
          --working;
          if (helper) --helpers_live;
          ++jobs_run;
        });
        EXPECT_FALSE(e.has_value());
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(jobs_run.load(), kCallers * 10 * kJobs);
  EXPECT_LE(helpers_high.load(), kBudget);
  EXPECT_LE(lent_high.load(), kBudget);
  EXPECT_LE(working_high.load(), kCallers + kBudget);
  EXPECT_GT(helpers_high.load(), 0) << "no caller ever got a helper";
}

TEST_F(Parallel, ExhaustedBudgetRunsEverythingOnTheCaller) {
  set_compute_threads(2);
  const int taken = compute_budget().borrow(2);
  ASSERT_EQ(taken, 2);
  const auto caller = std::this_thread::get_id();
  std::atomic<int> elsewhere{0}, runs{0};
  auto e = parallel_for(100, Stop{}, [&](int, int worker) {
    if (std::this_thread::get_id() != caller || worker != 0) elsewhere++;
    runs++;
  });
  compute_budget().give_back(taken);
  EXPECT_FALSE(e.has_value());
  EXPECT_EQ(runs.load(), 100);
  EXPECT_EQ(elsewhere.load(), 0);
}

TEST_F(Parallel, StopHonoured) {
  set_compute_threads(2);
  Stop stop;
  std::atomic<int> runs{0};
  auto e = parallel_for(10000, stop, [&](int job, int) {
    if (job == 10) stop.token.cancel();
    runs++;
  });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind(), ErrorKind::kCancelled);
  EXPECT_LT(runs.load(), 10000);

  runs = 0;
  e = parallel_for(100, stop, [&](int, int) { runs++; });  // already stopped: nothing starts
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind(), ErrorKind::kCancelled);
  EXPECT_EQ(runs.load(), 0);

  Stop late;  // fired by the last job: still reported
  e = parallel_for(1, late, [&](int, int) { late.token.cancel(); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind(), ErrorKind::kCancelled);
}

TEST_F(Parallel, ExceptionBecomesAnErrorWithAllThreadsJoined) {
  set_compute_threads(4);
  std::atomic<int> inside{0}, after_throw{0};
  std::atomic<bool> thrown{false};
  auto e = parallel_for(1000, Stop{}, [&](int job, int) {
    ++inside;
    std::this_thread::sleep_for(microseconds(100));
    --inside;
    if (thrown) after_throw++;
    if (job == 20) {
      thrown = true;
      throw std::runtime_error("a bug in a job");
    }
  });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind(), ErrorKind::kInternal);
  EXPECT_TRUE(e->details().contains("error_id"));
  EXPECT_EQ(inside.load(), 0) << "a job still runs after parallel_for returned";
  EXPECT_EQ(compute_budget().in_use(), 0) << "helpers not given back";
  EXPECT_LT(after_throw.load(), 1000 - 21) << "jobs kept starting after the exception";
}

}  // namespace
}  // namespace imgflo::runtime

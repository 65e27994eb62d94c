// The admission budget (jobs/memory_budget.h): refusal of what cannot fit,
// waiting for what does not fit yet, first come first served, waits ended by
// the deadline (a ManualClock) or cancellation, and the default limit.
#include "jobs/memory_budget.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace imgflo::jobs {
namespace {

using namespace std::chrono_literals;
using Held = Result<MemoryBudget::Reservation>;

// Blocks until `n` acquire() calls wait in `budget` (they cannot leave the
// queue on their own: nothing releases and their stop never ends).
void until_waiting(const MemoryBudget& budget, uint64_t n) {
  while (budget.stats().waiting < n) std::this_thread::yield();
}

std::future<Held> acquire_async(MemoryBudget& budget, uint64_t bytes, Stop stop = {}) {
  return std::async(std::launch::async, [&budget, bytes, stop] { return budget.acquire(bytes, stop); });
}

TEST(MemoryBudget, AJobOverTheLimitIsRefusedAtOnceWith422) {
  MemoryBudget budget(100u << 20);
  Held held = budget.acquire((100u << 20) + 1, Stop{});
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.error().kind(), ErrorKind::kTooLarge);
  EXPECT_EQ(held.error().status(), 422);
  EXPECT_EQ(held.error().details()["estimate_mb"], 101);
  EXPECT_EQ(held.error().details()["memory_limit_mb"], 100);
  EXPECT_NE(held.error().message().find("memory limit of 100 MB"), std::string::npos) << held.error().message();
  EXPECT_EQ(budget.stats().refused, 1u);
  EXPECT_EQ(budget.stats().in_use, 0u);
}

TEST(MemoryBudget, JobsThatFitTogetherRunAtOnceAndReleaseOnDestruction) {
  MemoryBudget budget(100);
  {
    Held a = budget.acquire(40, Stop{});
    Held b = budget.acquire(60, Stop{});  // exactly the limit
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->bytes(), 40u);
    EXPECT_EQ(budget.stats().in_use, 100u);
    EXPECT_EQ(budget.stats().running, 2u);
    EXPECT_EQ(budget.stats().waits, 0u);
  }
  EXPECT_EQ(budget.stats().in_use, 0u);
  EXPECT_EQ(budget.stats().running, 0u);
}

TEST(MemoryBudget, AJobWaitsUntilARunningOneReleases) {
  MemoryBudget budget(100);
  std::optional<Held> first(budget.acquire(80, Stop{}));
  ASSERT_TRUE(first->ok());
  auto second = acquire_async(budget, 30);
  until_waiting(budget, 1);
  EXPECT_EQ(budget.stats().in_use, 80u);  // the second is not admitted while the first runs
  first.reset();
  Held admitted = second.get();
  ASSERT_TRUE(admitted.ok());
  EXPECT_EQ(budget.stats().in_use, 30u);
  EXPECT_EQ(budget.stats().waits, 1u);
  EXPECT_EQ(budget.stats().waiting, 0u);
}

TEST(MemoryBudget, ASmallJobDoesNotOvertakeAnEarlierBigOne) {
  MemoryBudget budget(100);
  std::optional<Held> running(budget.acquire(60, Stop{}));
  auto big = acquire_async(budget, 50);  // does not fit next to 60
  until_waiting(budget, 1);
  auto small = acquire_async(budget, 30);  // would fit, but the big one asked first
  until_waiting(budget, 2);
  EXPECT_EQ(budget.stats().in_use, 60u);
  running.reset();
  Held b = big.get();
  Held s = small.get();
  ASSERT_TRUE(b.ok() && s.ok());
  EXPECT_EQ(budget.stats().in_use, 80u);
  EXPECT_EQ(budget.stats().waits, 2u);
}

TEST(MemoryBudget, TheDeadlineEndsAWaitWithATimeout) {
  ManualClock clock;
  MemoryBudget budget(100);
  Held running = budget.acquire(80, Stop{});
  Stop stop;
  stop.deadline = Deadline::after(1s, clock);
  auto waiting = acquire_async(budget, 30, stop);
  until_waiting(budget, 1);
  clock.advance(2s);
  Held ended = waiting.get();
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().kind(), ErrorKind::kTimeout);
  EXPECT_EQ(ended.error().status(), 504);
  EXPECT_EQ(budget.stats().waiting, 0u);
  EXPECT_EQ(budget.stats().in_use, 80u);
}

TEST(MemoryBudget, ACancelledWaiterLeavesAndTheNextInLineRuns) {
  MemoryBudget budget(100);
  Held running = budget.acquire(60, Stop{});
  Stop head_stop;
  auto head = acquire_async(budget, 50, head_stop);
  until_waiting(budget, 1);
  auto next = acquire_async(budget, 30);  // fits next to 60, queued behind the head
  until_waiting(budget, 2);
  head_stop.token.cancel();
  Held cancelled = head.get();
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().kind(), ErrorKind::kCancelled);
  Held admitted = next.get();  // while the first still runs
  ASSERT_TRUE(admitted.ok());
  EXPECT_EQ(budget.stats().in_use, 90u);
}

TEST(MemoryBudget, ALimitOfZeroAdmitsEverything) {
  MemoryBudget budget(0);
  Held a = budget.acquire(UINT64_MAX, Stop{});
  Held b = budget.acquire(UINT64_MAX, Stop{});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(budget.stats().refused, 0u);
  EXPECT_EQ(budget.stats().waits, 0u);
}

TEST(MemoryBudget, AMovedReservationReleasesOnce) {
  MemoryBudget budget(100);
  {
    Held a = budget.acquire(70, Stop{});
    ASSERT_TRUE(a.ok());
    MemoryBudget::Reservation moved = std::move(*a);
    EXPECT_EQ(moved.bytes(), 70u);
    MemoryBudget::Reservation assigned;
    assigned = std::move(moved);
    EXPECT_EQ(budget.stats().in_use, 70u);
    EXPECT_EQ(budget.stats().running, 1u);
  }
  EXPECT_EQ(budget.stats().in_use, 0u);
  EXPECT_EQ(budget.stats().running, 0u);
}

// MemTotal of /proc/meminfo in bytes.
uint64_t mem_total() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  in >> key >> kb;
  EXPECT_EQ(key, "MemTotal:");
  return kb * 1024;
}

TEST(MemoryBudget, TheDefaultLimitIsAFractionOfTheMachinesMemory) {
  const uint64_t half = default_memory_limit(0.5);
  const uint64_t all = default_memory_limit(1.0);
  EXPECT_GT(half, 0u);
  EXPECT_LE(all, mem_total());             // a cgroup limit may be lower, never higher
  EXPECT_NEAR(static_cast<double>(half), static_cast<double>(all) / 2, 1.0);
}

// cgroup v1 (this machine's layout: the memory controller names a group below
// the mount) and the unified v2 line: the group's file first, then each
// ancestor's up to the root.
TEST(MemoryBudget, TheLimitFilesAreTheOwnCgroupsAndItsAncestors) {
  const std::vector<std::string> v1 = memory_limit_files("9:name=systemd:/\n4:memory:/jobs/abc\n1:cpu:/\n");
  EXPECT_EQ(v1, (std::vector<std::string>{"/sys/fs/cgroup/memory/jobs/abc/memory.limit_in_bytes",
                                          "/sys/fs/cgroup/memory/jobs/memory.limit_in_bytes",
                                          "/sys/fs/cgroup/memory/memory.limit_in_bytes"}));
  const std::vector<std::string> v2 = memory_limit_files("0::/system.slice/imgflo.service\n");
  EXPECT_EQ(v2, (std::vector<std::string>{"/sys/fs/cgroup/system.slice/imgflo.service/memory.max",
                                          "/sys/fs/cgroup/unified/system.slice/imgflo.service/memory.max",
                                          "/sys/fs/cgroup/system.slice/memory.max",
                                          "/sys/fs/cgroup/unified/system.slice/memory.max",
                                          "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/unified/memory.max"}));
  EXPECT_EQ(memory_limit_files("4:memory,cpu:/a\n").size(), 2u);  // co-mounted controllers
}

TEST(MemoryBudget, MalformedCgroupLinesGiveNoFiles) {
  for (const char* text : {"", "garbage", "4:memory:", "4:memory:relative/path", "4:memory:/a/../../etc",
                           "3:cpu:/a", "1::/a", "4:memorylimit:/a"}) {
    EXPECT_TRUE(memory_limit_files(text).empty()) << text;
  }
}

// The limit of this process's own group counts: a server started in a group
// with a smaller limit than the machine's (bench/memory.sh --memory-max runs
// one) gets a fraction of that group's limit, not of MemTotal.
TEST(MemoryBudget, TheDefaultLimitReadsTheOwnCgroup) {
  std::ifstream in("/proc/self/cgroup");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t smallest = mem_total();
  for (const std::string& file : memory_limit_files(text)) {
    std::ifstream limit(file);
    uint64_t bytes = 0;
    if (limit >> bytes && bytes < smallest) smallest = bytes;
  }
  EXPECT_LE(default_memory_limit(1.0), smallest);
}

}  // namespace
}  // namespace imgflo::jobs

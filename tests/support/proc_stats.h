// What a running process costs, from /proc (Linux), and starting programs
// whose exit status matters (ServerProcess reaps without keeping it).
//
//   const auto mem = proc_memory(server.pid());          // VmHWM / VmRSS in bytes
//   const double cpu = proc_cpu_seconds(server.pid());   // utime + stime
//   const int fds = proc_fd_count(server.pid());
//
//   ChildProcess b(binary_dir() / "imgflo-server", {"--port", "8080"}, {}, scratch / "b.log");
//   auto status = b.wait_exit(5s);   // nullopt while still running
//
//   // A ServerProcess `program` running build/imgflo-server under prlimit:
//   ServerProcess s("low-fds", {}, {}, limited_program("imgflo-server", {"--nofile=256:256"}, "low-fds"));
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace imgflo::test {

struct ProcMemory {
  long long hwm_bytes = 0;  // VmHWM: peak resident set
  long long rss_bytes = 0;  // VmRSS: current resident set
};

// nullopt when the process is gone (or /proc is unreadable).
std::optional<ProcMemory> proc_memory(pid_t pid);
// utime + stime of the whole process (all threads), in seconds; < 0 when gone.
double proc_cpu_seconds(pid_t pid);
// Open file descriptors (entries of /proc/PID/fd); -1 when gone.
int proc_fd_count(pid_t pid);

// How a child ended.
struct ExitStatus {
  bool signalled = false;  // killed by a signal (a crash: SIGSEGV, SIGABRT, ...)
  int code = 0;            // exit code, or the signal number when signalled
  std::string describe() const;  // "exit 1", "signal 6 (Aborted)"
};

// A program started with fork/execve, its stdout and stderr in `log`, killed
// (SIGKILL) on destruction if still running. Its exit status is kept.
class ChildProcess {
 public:
  // `env` is the whole environment (PATH=/usr/bin:/bin is added when absent).
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
               std::map<std::string, std::string> env, std::filesystem::path log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The exit status once it has ended, waiting up to `timeout`; nullopt while running.
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  // Waits until the log matches `pattern` (ECMAScript regex) or the process ends
  // or `timeout` passes; returns the first group (or the whole match), nullopt otherwise.
  std::optional<std::string> wait_log(const std::string& pattern, std::chrono::milliseconds timeout);
  std::string log() const;
  // SIGTERM, then SIGKILL after `grace`; returns how it ended.
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10'000));

 private:
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  std::filesystem::path log_;
};

// Writes an executable wrapper script in the scratch folder `name` that runs
// build/PROGRAM under `/usr/bin/prlimit <limits...>` with the arguments it is
// given (prlimit execs the program: same PID, so /proc stats are the
// program's). Returns its absolute path, usable as ServerProcess's `program`.
std::string limited_program(const std::string& program, const std::vector<std::string>& prlimit_options,
                            const std::string& name);

}  // namespace imgflo::test

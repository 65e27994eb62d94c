#include "support/proc_stats.h"

#include "support/paths.h"
#include "support/server_process.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace imgflo::test {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string proc_path(pid_t pid, const char* what) { return "/proc/" + std::to_string(pid) + "/" + what; }

// "VmHWM:	  123456 kB" -> bytes; -1 when absent.
long long status_kb_field(const std::string& status, const std::string& name) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(name.size() + 1));
    long long kb = -1;
    fields >> kb;
    return kb < 0 ? -1 : kb * 1024;
  }
  return -1;
}

ExitStatus from_wait_status(int status) {
  ExitStatus s;
  if (WIFSIGNALED(status)) {
    s.signalled = true;
    s.code = WTERMSIG(status);
  } else {
    s.code = WEXITSTATUS(status);
  }
  return s;
}

}  // namespace

std::optional<ProcMemory> proc_memory(pid_t pid) {
  std::ifstream in(proc_path(pid, "status"));
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  ProcMemory m;
  m.hwm_bytes = status_kb_field(s.str(), "VmHWM");
  m.rss_bytes = status_kb_field(s.str(), "VmRSS");
  if (m.hwm_bytes < 0 || m.rss_bytes < 0) return std::nullopt;  // a zombie has no memory lines
  return m;
}

double proc_cpu_seconds(pid_t pid) {
  std::ifstream in(proc_path(pid, "stat"));
  if (!in) return -1;
  std::string stat;
  std::getline(in, stat);
  // "pid (comm) state ppid ..." — comm may contain spaces and ')': fields start after the last ')'.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields after comm: 3 state, 4 ppid, ... 14 utime, 15 stime (1-based in proc(5)).
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

int proc_fd_count(pid_t pid) {
  std::error_code ec;
  fs::directory_iterator it(proc_path(pid, "fd"), ec);
  if (ec) return -1;
  int n = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    ++n;
  }
  return n;
}

std::string ExitStatus::describe() const {
  if (!signalled) return "exit " + std::to_string(code);
  return "signal " + std::to_string(code) + " (" + ::strsignal(code) + ")";
}

ChildProcess::ChildProcess(const fs::path& program, const std::vector<std::string>& args,
                           std::map<std::string, std::string> env, fs::path log)
    : log_(std::move(log)) {
  std::vector<std::string> argv = {program.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  env.emplace("PATH", "/usr/bin:/bin");
  std::vector<std::string> envp;
  for (const auto& [k, v] : env) envp.push_back(k + "=" + v);
  auto c_argv = c_strings(argv);
  auto c_envp = c_strings(envp);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the test process
    if (::getppid() != parent) _exit(127);
    const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execve(c_argv[0], c_argv.data(), c_envp.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
}

std::optional<ExitStatus> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  while (!status_) {
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = from_wait_status(st);
      break;
    }
    if (r < 0) {  // not our child any more (cannot happen unless reaped elsewhere)
      status_ = ExitStatus{true, 0};
      break;
    }
    if (Clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

bool ChildProcess::running() { return !wait_exit(std::chrono::milliseconds(0)).has_value(); }

std::optional<std::string> ChildProcess::wait_log(const std::string& pattern, std::chrono::milliseconds timeout) {
  const std::regex re(pattern);
  const auto until = Clock::now() + timeout;
  while (true) {
    const std::string text = log();
    std::smatch m;
    if (std::regex_search(text, m, re)) return m.size() > 1 ? m[1].str() : m[0].str();
    if (!running() || Clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string ChildProcess::log() const {
  std::ifstream in(log_, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ExitStatus ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!status_) {
    ::kill(pid_, SIGTERM);
    if (!wait_exit(grace)) {
      ::kill(pid_, SIGKILL);
      wait_exit(std::chrono::milliseconds(10'000));
    }
  }
  return status_.value_or(ExitStatus{true, SIGKILL});
}

std::string limited_program(const std::string& program, const std::vector<std::string>& prlimit_options,
                            const std::string& name) {
  const fs::path script = scratch_dir("wrapper-" + name) / ("limited-" + program);
  std::string text = "#!/bin/sh\nexec /usr/bin/prlimit";
  for (const auto& o : prlimit_options) text += " '" + o + "'";
  text += " -- '" + (binary_dir() / program).string() + "' \"$@\"\n";
  write_file(script, text);
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  return script.string();
}

}  // namespace imgflo::test

#include "support/server_process.h"

#include "support/paths.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <regex>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace imgflo::test {

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

ServerProcess::ServerProcess(const std::string& name, std::map<std::string, std::string> env,
                             std::vector<std::string> args, const std::string& program, const std::string& ready) {
  const auto dir = scratch_dir("server-" + name);
  workdir_ = dir / "work";
  log_ = dir / "server.log";
  std::vector<std::string> argv = {(binary_dir() / program).string(), "--port", "0", "--address", "127.0.0.1",
                                   "--workdir", workdir_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  env.emplace("PATH", "/usr/bin:/bin");
  env.emplace("IMGFLO_DRAIN_TIMEOUT", "2");  // a stop never waits long for requests a test abandoned
  std::vector<std::string> envp;
  for (const auto& [k, v] : env) envp.push_back(k + "=" + v);
  auto c_argv = c_strings(argv);
  auto c_envp = c_strings(envp);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    // Dies with the test process, even one that never destroys its ServerProcess (a leaked static).
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execve(c_argv[0], c_argv.data(), c_envp.data());
    _exit(127);
  }
  const std::regex listening(ready);
  for (int i = 0; i < 300; ++i) {  // up to 30 s (graph catalogue load, libvips start)
    std::smatch m;
    const std::string text = log();
    if (std::regex_search(text, m, listening)) {
      port_ = m.size() > 1 ? std::stoi(m[1]) : 0;
      return;
    }
    if (!running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string text = log();
  kill();
  throw std::runtime_error(program + " did not start: " + text);
}

ServerProcess::~ServerProcess() { terminate(); }

void ServerProcess::terminate() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 150; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill();
}

void ServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool ServerProcess::running() const {
  if (pid_ <= 0) return false;
  if (waitpid(pid_, nullptr, WNOHANG) == 0) return true;
  pid_ = -1;  // reaped (or not ours any more): never signal a PID that may be reused
  return false;
}

std::string ServerProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string ServerProcess::log() const {
  try {
    return read_file(log_);
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace imgflo::test

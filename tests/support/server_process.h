// A real imgflo-server process for end-to-end tests: started on a free port
// with the given environment and flags, stopped (SIGTERM, then SIGKILL) on
// destruction, or SIGTERM when the test process ends without destroying it.
// Its log goes to a file under the test scratch folder. Unless `env` says
// otherwise, IMGFLO_DRAIN_TIMEOUT is 2 s: the SIGTERM of a stop drains (answers
// what is in flight, publishes results) but never waits long for requests a
// test abandoned.
// Other programs taking the same flags (imgflo-worker) start the same way,
// with their own "ready" line (a pattern without a group: port() is 0).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace imgflo::test {

// argv/envp for execve: pointers into `v` (which must outlive them), null-terminated.
std::vector<char*> c_strings(std::vector<std::string>& v);

class ServerProcess {
 public:
  // Starts build/imgflo-server (or `program`) with `env` added to a minimal
  // environment and `args` appended (after --port 0 --address 127.0.0.1
  // --workdir <scratch>/work, so they may override those); waits until its
  // log matches `ready` (the first group, if any, is the port). Throws on failure.
  ServerProcess(const std::string& name, std::map<std::string, std::string> env = {},
                std::vector<std::string> args = {}, const std::string& program = "imgflo-server",
                const std::string& ready = "listening on port ([0-9]+)");
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const;  // http://127.0.0.1:PORT + path
  const std::filesystem::path& workdir() const { return workdir_; }
  std::string log() const;
  // Sends SIGKILL and waits (for crash tests).
  void kill();
  // Sends SIGTERM and waits up to 15 s (then SIGKILL).
  void terminate();
  int pid() const { return pid_; }
  bool running() const;

 private:
  mutable int pid_ = -1;  // -1 once the process has been reaped
  int port_ = 0;
  std::filesystem::path workdir_;
  std::filesystem::path log_;
};

}  // namespace imgflo::test

// A private redis-server for tests that kill, pause or reconfigure Redis
// (the shared test Redis must not be disturbed: ctest runs tests in
// parallel). Finds redis-server on PATH, binds 127.0.0.1 on a free port, no
// persistence, data and log in `dir`. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace imgflo::test {

class RedisServerProcess {
 public:
  // `extra` are added to the command line (e.g. {"--requirepass", "secret"}).
  RedisServerProcess(std::filesystem::path dir, std::vector<std::string> extra = {});
  ~RedisServerProcess();  // kills the server if running
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // Starts on a fresh free port; true once it answers PING. On failure see error().
  bool start();
  // SIGKILL and reap (an unclean crash, as kill -9).
  void kill_hard();
  // Starts again on the same port (the data is gone: no persistence).
  bool restart();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // redis://[:password@]127.0.0.1:PORT[/db]
  std::string url(const std::string& password = "", int db = 0) const;
  const std::string& error() const { return error_; }

 private:
  bool spawn();
  bool wait_ready();

  std::filesystem::path dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string error_;
};

}  // namespace imgflo::test

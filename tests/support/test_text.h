// Small helpers many test files need: quoting for std::system, unique object keys, random
// payloads, elapsed milliseconds. (One definition here: test targets are unity builds, where two
// files of one target defining the same helper would clash.)
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace imgflo::test {

// `s` as one single-quoted POSIX shell word ('it'\''s').
std::string shell_quote(const std::string& s);

// What a shell command printed on stdout and its exit status (-1 when it did not exit normally).
struct CommandRun {
  int status = -1;
  std::string out;
};
// Runs `command` with /bin/sh (popen), waiting for it to end.
CommandRun run_command(const std::string& command);

// A storage key no other test or parallel test process uses: sha1 of `tag`, the pid, a counter
// and the clock, plus "." + `ext` unless `ext` is empty.
std::string fresh_key(const std::string& tag, const std::string& ext = "png");

// `n` bytes of a fixed pseudo-random sequence chosen by `seed`.
std::string random_bytes(size_t n, unsigned seed);

// Whole milliseconds of the steady clock since `start`.
long long ms_since(std::chrono::steady_clock::time_point start);

}  // namespace imgflo::test

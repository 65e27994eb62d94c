// Storage in a local folder (the embedded default), served by the frontend
// at /cache/KEY. Writes go to a unique temporary file in the same folder
// (".tmp-<instance>-<key>.XXXXXX"), which is fsynced and then renamed over the
// key, so no file under a key's name is ever partial, not even after a crash
// (the folder is re-indexed at start-up). Several instances may share the
// folder: at start-up only temporaries untouched for kStaleTemporary
// (leftovers of a crash) are removed, never ones in use.
//
// Publication (Durability):
// - kBeforeAnswer: put() returns once the file is fsynced, renamed and the
//   folder fsynced — for a folder other instances read (redis-local).
// - kBackground: put() writes the temporary (in the staging subfolder
//   kStagingFolder, so the folder itself only ever shows whole results and
//   other instances' temporaries) and returns at once; the fsync and the
//   rename run on background threads (at most kBackgroundBacklog waiting,
//   else put() publishes itself). Until then get()/exists()/keys() of this
//   instance answer from the temporary, so the caller may hand out the
//   location at once. A crash can lose results answered in the last moments
//   (never leave a partial one): they are computed again. For a folder only
//   this process serves (embedded, in-memory index).
#pragma once

#include "storage/background_tasks.h"
#include "storage/storage.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace imgflo::storage {

class LocalStorage final : public Storage {
 public:
  enum class Durability { kBeforeAnswer, kBackground };

  // Creates `dir` if needed. kInternal when it cannot be created or written.
  static Result<std::unique_ptr<LocalStorage>> open(const std::filesystem::path& dir,
                                                    Durability durability = Durability::kBeforeAnswer);
  // Publishes what background threads still hold, then stops them.
  ~LocalStorage() override;

  Result<std::string> put(const std::string& key, std::string_view bytes, std::string_view content_type) override;
  Result<std::string> get(const std::string& key) override;
  std::string location(const std::string& key) const override { return "/cache/" + key; }
  Result<bool> exists(const std::string& key) override;
  // Writes and removes a temporary where results are written (kUnavailable when that fails).
  Status ping(std::chrono::milliseconds timeout) override;

  // Keys currently stored, published or still in the background (to warm an
  // in-memory index at start-up).
  std::vector<std::string> keys() const;
  // Path of a published key, or nullopt (invalid key, absent, or still being
  // published in the background).
  std::optional<std::filesystem::path> path_of(const std::string& key) const;
  const std::filesystem::path& dir() const { return dir_; }
  // Returns once every result put() before is published under its key.
  void flush();

 private:
  static constexpr std::chrono::hours kStaleTemporary{1};
  static constexpr const char* kStagingFolder = ".publishing";
  static constexpr size_t kBackgroundBacklog = 64;
  static constexpr int kBackgroundThreads = 2;  // concurrent fsyncs share a journal commit

  LocalStorage(std::filesystem::path dir, std::string instance, Durability durability);
  static void remove_stale_temporaries(const std::filesystem::path& dir);
  void sync_directory() const;
  // Writes `bytes` to a new temporary; its path, or kInternal.
  Result<std::filesystem::path> write_temporary(const std::string& key, std::string_view bytes) const;
  // fsyncs the temporary and renames it over the key, then forgets its
  // pending entry; a temporary a later put() of the same key superseded is
  // removed instead. On failure the temporary is removed: kInternal.
  Status publish(const std::string& key, const std::filesystem::path& temporary);
  // The file to read for `key`: its temporary while pending, else the key's
  // own; opened under mu_ so a concurrent rename cannot slip between. -1 if absent.
  int open_for_reading(const std::string& key) const;

  const std::filesystem::path dir_;
  const std::filesystem::path staging_;  // where temporaries are written: dir_, or kStagingFolder in it
  const std::string instance_;  // names this instance's temporaries
  const Durability durability_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::filesystem::path> pending_;  // key -> temporary; guarded by mu_
  std::unordered_set<std::string> superseded_;  // pending temporaries a later put() replaced; guarded by mu_
  std::unique_ptr<BackgroundTasks> background_;  // kBackground only; declared last: stops first
};

}  // namespace imgflo::storage

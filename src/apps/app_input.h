// The checks every AppStore applies to what it is asked to write (the
// original's: an owner email with an '@' after its first character, a
// non-empty label; plus sizes and a sane quota and grace period), and the
// clock the rows' times come from. Shared by the stores so they refuse the
// same input with the same message.
#pragma once

#include "apps/app_store.h"

#include <chrono>
#include <cstdint>

namespace imgflo::apps {

constexpr size_t kMaxLabelBytes = 200;
// Largest processing_quota: the original's column is a 32-bit INTEGER (PostgreSQL).
constexpr int64_t kMaxProcessingQuota = 2147483647;
constexpr size_t kMaxEmailBytes = 254;  // RFC 5321's longest forward path, less the brackets
// Longest grace period of rotate(): a year (a forgotten rotation should not keep an old secret forever).
constexpr std::chrono::seconds kMaxGrace = std::chrono::hours(24 * 366);

// kInvalidArgument naming the field and why.
Status validate_new_app(const NewApp& app);
Status validate_quota(int64_t quota);  // 0 .. kMaxProcessingQuota
Status validate_grace(std::chrono::seconds grace);  // 0 .. kMaxGrace

// Unix seconds now (UTC): created_at, updated_at, previous_secret_expires_at.
int64_t unix_now();

}  // namespace imgflo::apps

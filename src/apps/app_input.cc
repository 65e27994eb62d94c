#include "apps/app_input.h"

#include "core/text.h"

namespace imgflo::apps {

namespace {

Error invalid(std::string message) { return Error(ErrorKind::kInvalidArgument, std::move(message)); }

bool has_control_characters(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

Status validate_new_app(const NewApp& app) {
  const std::string& email = app.owner_email;
  if (email.size() > kMaxEmailBytes) return invalid("owner email longer than " + std::to_string(kMaxEmailBytes) + " bytes");
  const size_t at = email.find('@');
  if (at == std::string::npos || at == 0) return invalid("owner email must contain '@' after its first character");
  if (!is_valid_utf8(email) || has_control_characters(email)) return invalid("owner email is not printable UTF-8");
  if (app.label.empty()) return invalid("label must not be empty");
  if (app.label.size() > kMaxLabelBytes) return invalid("label longer than " + std::to_string(kMaxLabelBytes) + " bytes");
  if (!is_valid_utf8(app.label) || has_control_characters(app.label)) return invalid("label is not printable UTF-8");
  return validate_quota(app.processing_quota);
}

Status validate_quota(int64_t quota) {
  if (quota < 0) return invalid("processing quota must be 0 (cached results only) or more");
  if (quota > kMaxProcessingQuota) return invalid("processing quota larger than " + std::to_string(kMaxProcessingQuota));
  return ok_status();
}

Status validate_grace(std::chrono::seconds grace) {
  if (grace.count() < 0) return invalid("grace period must not be negative");
  if (grace > kMaxGrace) return invalid("grace period longer than 366 days");
  return ok_status();
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace imgflo::apps

// Fuzz target "broker": message bodies as they arrive from RabbitMQ.
//
// The bytes are parsed as the worker and the frontend parse them
// (nlohmann::json::parse(body, nullptr, false)) and decoded as a job (jobs::job_from_json,
// the worker's side) and as a job outcome (jobs::outcome_from_json, the frontend's side).
// A decoded value must serialise again (to_json, the broker's message body) and decode to
// the same value; an outcome's error must become a valid HTTP error response, since the
// frontend answers its waiting clients with it.
#include "fuzz_support.h"

#include "jobs/job.h"

using namespace imgflo;

namespace {

bool same(const jobs::Job& a, const jobs::Job& b) {
  return a.id == b.id && a.key == b.key && a.graph == b.graph && a.out_type == b.out_type && a.params == b.params &&
         a.input == b.input && a.images == b.images && a.nocache == b.nocache && a.urgency == b.urgency &&
         a.depth == b.depth && a.deadline_ms == b.deadline_ms && a.submitted_us == b.submitted_us &&
         a.request_id == b.request_id;
}

void job(const nlohmann::json& j) {
  auto decoded = jobs::job_from_json(j);
  if (!decoded.ok()) return fuzz::check_error(decoded.error());
  const nlohmann::json again = jobs::to_json(*decoded);
  fuzz::check_response(http::HttpResponse::json(200, again));
  auto round = jobs::job_from_json(again);
  if (!round.ok()) fuzz::fail("a decoded job does not decode after to_json: " + round.error().message());
  if (!same(*decoded, *round)) fuzz::fail("a job changed on a to_json/job_from_json round trip");
  if (!decoded->request_id.empty() && !jobs::valid_request_id(decoded->request_id)) {
    fuzz::fail("a job decoded with a request id that is not valid");
  }
  (void)jobs::deadline_from_epoch_ms(decoded->deadline_ms).expired();
}

void outcome(const nlohmann::json& j) {
  auto decoded = jobs::outcome_from_json(j);
  if (!decoded.ok()) return fuzz::check_error(decoded.error());
  if (!decoded->location.ok()) fuzz::check_error(decoded->location.error());
  const nlohmann::json again = jobs::to_json(*decoded);
  fuzz::check_response(http::HttpResponse::json(200, again));
  auto round = jobs::outcome_from_json(again);
  if (!round.ok()) fuzz::fail("a decoded outcome does not decode after to_json: " + round.error().message());
  if (round->id != decoded->id || round->key != decoded->key || round->location.ok() != decoded->location.ok()) {
    fuzz::fail("a job outcome changed on a to_json/outcome_from_json round trip");
  }
  if (round->location.ok() && *round->location != *decoded->location) fuzz::fail("an outcome's location changed");
  if (!round->location.ok() && (round->location.error().kind() != decoded->location.error().kind() ||
                                round->location.error().message() != decoded->location.error().message())) {
    fuzz::fail("an outcome's error changed on a round trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char*** argv) {
  fuzz::init((*argv)[0]);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto j = nlohmann::json::parse(fuzz::as_text(data, size), nullptr, false);
  if (j.is_discarded()) return 0;
  job(j);
  outcome(j);
  return 0;
}

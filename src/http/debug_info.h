// What the debug page (web/debug.html) shows about one processing request
// besides the images: the request as the handler reads it, and the phases of
// the job that made its result.
//
//   GET /debug/params/graph/NAME[.ext]?QUERY  (also /debug/params/graph/KEY/TOKEN/NAME...)
//     200 {"graph", "graphspec", "out_type", "out_type_defaulted", "cache_key",
//          "input", "images": {name: reference},
//          "params": [{"name", "text", "type", "value", "error"}],
//          "status": 200 | the error's status, "error": {the error's JSON body}}
//     The same steps the handler runs before queueing a job, in its order,
//     except authentication (nothing is processed here): parse, the 422 size
//     rule, the graph, its image inputs, the runtime's check (names, output
//     type: 449), then request::convert_params (typed values: 400). Each
//     parameter an inport takes shows its "type" and its "value" after
//     request::parse_param (the conversion convert_params runs: clamped
//     numbers, enum nicks, colours as "#rrggbbaa"), or null and the "error"
//     that refused it; the universal ones the runtime reads itself (width,
//     fit, ...) show their catalogue type and a null value; names the graph
//     does not take have "type" and "value" null. The
//     request's own errors are in the body of a 200 answer: only a target
//     that is not a processing URL is a 404.
//   GET /debug/job/KEY
//     200 the outcome line of the last job this process ran for the cache key
//     KEY (jobs/recent_jobs.h: queue_ms, fetch_ms, memory_wait_ms,
//     process_ms, store_ms, sizes, outcome); 404 when none is known here.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include "http/message.h"
#include "jobs/job_metrics.h"
#include "runtime/catalogue.h"

#include <string_view>

namespace imgflo::http {

// The first route above for `graph_target` ("/graph/...", the part after "/debug/params").
HttpResponse describe_graph_request(const runtime::Catalogue& catalogue, std::string_view graph_target,
                                    double size_limit_megapixels);

// The second route above; `metrics` null (no workers in this process) answers 404.
HttpResponse describe_job(const jobs::JobMetrics* metrics, std::string_view key);

}  // namespace imgflo::http

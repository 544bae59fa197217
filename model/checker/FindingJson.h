// FindingJson: findings as JSON, the form `staleline run --json` puts in its `findings`
// array. Every field is derived from simulated state, so the same run gives the same bytes.
#pragma once

#include "checker/Finding.h"
#include "checker/FindingLog.h"

struct json_t;

namespace staleline {

// {kind, message, address, size, time_ns, count, location {file, line, function},
//  stack [{file, line, function}, ...] (innermost first: the location, then each caller's call),
//  [device_address], [requester], [vmo {koid, offset}], [related {what, time_ns, location, message}]}
json_t* finding_json(const Finding& f);  // new reference
json_t* findings_json(const FindingLog& log);  // array, new reference
json_t* location_json(const SourceLocation& loc);  // {file, line, function}

}  // namespace staleline

// SarifWriter: findings as a SARIF 2.1.0 log (code annotations in editors and code review).
// One rule per finding kind (id = the kind's stable name, shortDescription, fullDescription =
// what to do, helpUri = help_uri#kind, level error); one result per finding with ruleId,
// level, message, the location (artifact URI relative to the source root, under the uriBaseId
// SRCROOT, and the start line; the function as a logical location), the earlier event as a
// related location, and the count, time and addresses as properties.
#pragma once

#include <string>

#include "checker/FindingLog.h"

struct json_t;

namespace staleline {

class SarifWriter {
public:
    explicit SarifWriter(std::string help_uri = "docs/findings.md");

    json_t* document(const FindingLog& log) const;  // new reference
    // Writes the document to path. false with *error set when the file cannot be written.
    bool write(const FindingLog& log, const std::string& path, std::string* error) const;

    // An artifact URI for a file name: percent-encodes what a URI may not hold as is.
    static std::string file_uri(const std::string& file);

private:
    std::string help_uri_;
};

}  // namespace staleline

// SarifWriter: findings as a SARIF 2.1.0 log (code annotations in editors, code review and CI
// gates), valid under Microsoft's SARIF validator (docs/findings.md, Outputs).
//
// tool.driver: name, version, informationUri, and one rule per finding kind (id = the kind's
// stable name, name, shortDescription, fullDescription = what to do, an absolute helpUri =
// help_uri#kind, level error). One result per finding: ruleId, ruleIndex, level, message, the
// location (a file under the source root as a URI relative to the uriBaseId SRCROOT, a file
// outside it as a file:// URI; the start line; the function as a logical location), the
// earlier event as a related location, the driver's call stack (stacks[0], innermost frame
// first), and the count, time and addresses as properties. originalUriBaseIds gives SRCROOT
// as the source root's file:// URI. invocations[0] says how the run ended: exit code,
// executionSuccessful, and notifications (data found wrong without a finding, the run cut
// short ...). Nothing in the log depends on the host or the wall clock beyond the source root.
#pragma once

#include <string>
#include <vector>

#include "checker/FindingLog.h"

struct json_t;

namespace staleline {

// How the run the findings come from ended, for the log's invocation.
struct SarifInvocation {
    bool has_exit_code = false;
    int exit_code = 0;
    bool execution_successful = true;
    struct Notification {
        std::string id;     // stable, e.g. "wrong-data-without-finding"
        std::string level;  // "error", "warning" or "note"
        std::string text;   // one or more sentences, ending with a period
    };
    std::vector<Notification> notifications;
};

class SarifWriter {
public:
    // help_uri: where docs/findings.md is published (relative: taken as a file under
    // source_root). source_root: the absolute directory file names are relative to.
    explicit SarifWriter(std::string help_uri = "https://staleline.dev/docs/findings.md", std::string source_root = "");

    void set_invocation(SarifInvocation inv) { invocation_ = std::move(inv); }

    json_t* document(const FindingLog& log) const;  // new reference
    // Writes the document to path. false with *error set when the file cannot be written.
    bool write(const FindingLog& log, const std::string& path, std::string* error) const;

    // An artifact URI for a file name: percent-encodes what a URI may not hold as is.
    static std::string file_uri(const std::string& file);
    // "file:///abs/path" for an absolute path (percent-encoded).
    static std::string absolute_file_uri(const std::string& path);
    // The rules' help URI base: help_uri as is when it has a scheme, else a file:// URI.
    std::string help_base() const;

    static const char* version();         // the tool's version, e.g. "0.1.0"
    static const char* information_uri();  // the tool's home

private:
    std::string help_uri_;
    std::string source_root_;
    SarifInvocation invocation_;
};

}  // namespace staleline

// FindingLog: the findings of a run, deduplicated and capped so that a buggy loop does not
// flood the output. One finding per (kind, address, location) (the address: physical, and
// device address where there is one): a repeat only increments its
// count. At most max_per_site distinct findings per (kind, location) and max_findings in all;
// occurrences beyond the caps are counted as suppressed. Order: first occurrence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <tuple>

#include "checker/Finding.h"

namespace staleline {

class FindingLog {
public:
    FindingLog(size_t max_findings, size_t max_per_site);

    // Adds f, or counts it against an equal one. Returns the finding it was merged into or
    // stored as, nullptr when a cap suppressed it.
    const Finding* add(Finding f);

    // Spells out the call stack of a finding's location (Finding::stack) when the finding is
    // kept: stacks of merged or suppressed repeats are never resolved.
    using StackResolver = std::function<std::vector<SourceLocation>(const SourceLocation&)>;
    void set_stack_resolver(StackResolver fn) { stack_resolver_ = std::move(fn); }

    // A deque: references (and the strings in them) stay valid as findings are added.
    const std::deque<Finding>& all() const { return findings_; }
    size_t size() const { return findings_.size(); }
    uint64_t suppressed() const { return suppressed_; }
    size_t count(FindingKind k) const;
    void clear();

private:
    using Site = std::tuple<int, std::string, unsigned, std::string>;  // kind, file, line, function
    size_t max_findings_, max_per_site_;
    std::deque<Finding> findings_;
    // kind, physical address, device address, location
    std::map<std::tuple<int, uint64_t, uint64_t, std::string, unsigned, std::string>, size_t> index_;
    std::map<Site, size_t> per_site_;
    uint64_t suppressed_ = 0;
    StackResolver stack_resolver_;
};

}  // namespace staleline

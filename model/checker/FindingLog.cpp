#include "checker/FindingLog.h"

namespace staleline {

FindingLog::FindingLog(size_t max_findings, size_t max_per_site)
    : max_findings_(max_findings ? max_findings : 1), max_per_site_(max_per_site ? max_per_site : 1) {}

const Finding* FindingLog::add(Finding f) {
    const int k = (int)f.kind;
    auto key = std::make_tuple(k, f.address, f.has_device_address ? f.device_address : 0, f.where.file, f.where.line,
                               f.where.function);
    auto it = index_.find(key);
    if (it != index_.end()) {
        ++findings_[it->second].count;
        return &findings_[it->second];
    }
    size_t& at_site = per_site_[Site(k, f.where.file, f.where.line, f.where.function)];
    if (at_site >= max_per_site_ || findings_.size() >= max_findings_) {
        ++suppressed_;
        return nullptr;
    }
    ++at_site;
    f.count = 1;
    if (stack_resolver_ && f.stack.empty()) f.stack = stack_resolver_(f.where);
    index_.emplace(key, findings_.size());
    findings_.push_back(std::move(f));
    return &findings_.back();
}

size_t FindingLog::count(FindingKind kind) const {
    size_t n = 0;
    for (const Finding& f : findings_) n += f.kind == kind;
    return n;
}

void FindingLog::clear() {
    findings_.clear();
    index_.clear();
    per_site_.clear();
    suppressed_ = 0;
}

}  // namespace staleline

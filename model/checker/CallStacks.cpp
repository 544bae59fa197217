#include "checker/CallStacks.h"

#include "checker/SourceLocator.h"

namespace staleline {

CallStacks& CallStacks::instance() {
    static CallStacks table;
    return table;
}

uint32_t CallStacks::intern(const void* const* pcs, size_t n) {
    if (!n) return 0;
    std::vector<const void*> key(pcs, pcs + n);
    auto it = ids_.find(key);
    if (it != ids_.end()) return it->second;
    stacks_.push_back(key);
    const uint32_t id = (uint32_t)stacks_.size();
    ids_.emplace(std::move(key), id);
    return id;
}

const std::vector<const void*>* CallStacks::find(uint32_t id) const {
    return id && id <= stacks_.size() ? &stacks_[id - 1] : nullptr;
}

std::vector<SourceLocation> CallStacks::frames(const SourceLocation& where, SourceLocator& locator) const {
    std::vector<SourceLocation> out;
    if (!where.known()) return out;
    out.push_back(where);
    out.back().stack = 0;
    if (const std::vector<const void*>* pcs = find(where.stack))
        for (const void* pc : *pcs) {
            SourceLocation f = locator.locate_return(pc);
            f.stack = 0;
            out.push_back(std::move(f));
        }
    return out;
}

}  // namespace staleline

// CallStacks: the driver's call stacks recorded with code sites, interned so that a site costs
// one 32-bit id however deep the stack (CodeSite::stack, SourceLocation::stack). A stack is the
// return addresses of the calls that led to the site, innermost first (the driver shim's shadow
// call stack, kept by the access instrumentation's function entry and exit hooks); the site's
// own address is not part of it. Frames are resolved to source locations only when a finding
// is kept.
//
// One table per process (one platform, one checker): ids stay valid for its life.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "checker/SourceLocation.h"

namespace staleline {

class SourceLocator;

class CallStacks {
public:
    static CallStacks& instance();

    // The id of the stack pcs[0..n) (innermost first); 0 for an empty stack.
    uint32_t intern(const void* const* pcs, size_t n);
    // The return addresses of stack id, nullptr for 0 or an unknown id.
    const std::vector<const void*>* find(uint32_t id) const;

    // The frames of a finding's location, innermost first: the location itself, then the call
    // site in each caller. Just the location when no stack was recorded with it; empty when
    // the location is unknown.
    std::vector<SourceLocation> frames(const SourceLocation& where, SourceLocator& locator) const;

private:
    std::vector<std::vector<const void*>> stacks_;  // id - 1 -> stack
    std::map<std::vector<const void*>, uint32_t> ids_;
};

}  // namespace staleline

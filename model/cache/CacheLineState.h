// CacheLineState: the state of one line of the CPU cache. The cache is write-back and
// write-allocate with no coherence protocol, so three states are enough.
#pragma once

namespace staleline {

enum class CacheLineState {
    Invalid,  // not in the cache: CPU-view bytes are stale, the next access refills them
    Clean,    // in the cache, equal to DRAM when it was filled or last written back
    Dirty,    // in the cache with CPU writes DRAM has not seen
};

inline const char* to_string(CacheLineState s) {
    switch (s) {
    case CacheLineState::Invalid: return "invalid";
    case CacheLineState::Clean: return "clean";
    case CacheLineState::Dirty: return "dirty";
    }
    return "?";
}

}  // namespace staleline

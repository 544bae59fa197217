#include "cache/CacheArray.h"

#include <stdexcept>

#include "config/Config.h"

namespace staleline {

CacheArray::CacheArray(uint64_t size, uint64_t line, unsigned ways, const std::string& policy, uint64_t seed) {
    if (line < 8 || (line & (line - 1)))
        throw std::invalid_argument("cache line must be a power of two of at least 8 bytes, got " + std::to_string(line));
    if (ways == 0) throw std::invalid_argument("cache needs at least one way");
    if (size == 0 || size % (line * ways))
        throw std::invalid_argument("cache size " + std::to_string(size) + " is not a multiple of line * ways (" +
                                    std::to_string(line) + " * " + std::to_string(ways) + ")");
    uint64_t sets = size / (line * ways);
    if (sets > 0xffffffffULL) throw std::invalid_argument("cache has too many sets");
    shift_ = 0;
    while ((1ULL << shift_) < line) ++shift_;
    sets_ = (unsigned)sets;
    ways_ = ways;
    sets_pow2_ = (sets & (sets - 1)) == 0;
    set_mask_ = sets - 1;
    tags_.assign((size_t)sets * ways, kInvalid);
    dirty_.assign((size_t)sets * ways, 0);
    if (policy == "lru" || policy == "fifo") {
        kind_ = policy == "lru" ? Kind::Lru : Kind::Fifo;
        stamp_.assign((size_t)sets * ways, 0);
    } else {
        kind_ = Kind::Other;
        policy_ = ReplacementPolicy::create(policy, sets_, ways_, seed);  // throws on an unknown name
    }
}

std::unique_ptr<CacheArray> CacheArray::from_config(const Config& cfg) {
    uint64_t size = cfg.get_size("cache.size"), line = cfg.get_size("cache.line");
    int64_t ways = cfg.get_int("cache.ways");
    const std::string& policy = cfg.get_string("cache.policy");
    if (line < 8 || (line & (line - 1)))
        throw ConfigError("cache.line", "must be a power of two of at least 8 bytes, got " + std::to_string(line));
    if (ways < 1 || ways > 0xffff) throw ConfigError("cache.ways", "out of range: " + std::to_string(ways));
    if (size % (line * (uint64_t)ways))
        throw ConfigError("cache.size", "must be divisible by cache.line * cache.ways (" + std::to_string(line) +
                                            " * " + std::to_string(ways) + "), got " + std::to_string(size));
    if (policy == "plru" && (ways & (ways - 1)))
        throw ConfigError("cache.ways", "plru needs a power-of-two number of ways, got " + std::to_string(ways));
    try {
        return std::make_unique<CacheArray>(size, line, (unsigned)ways, policy, (uint64_t)cfg.get_int("sim.seed"));
    } catch (const std::invalid_argument& e) {
        throw ConfigError("cache.policy", e.what());
    }
}

LineAccess CacheArray::miss(uint64_t ln, bool is_write) {
    ++count_[is_write][0];
    const unsigned set = set_of(ln);
    const size_t base = (size_t)set * ways_;
    unsigned way;
    if (kind_ != Kind::Other) {
        // Oldest stamp wins; invalid ways have stamp 0, so the lowest invalid way goes first.
        const uint64_t* st = &stamp_[base];
        uint64_t oldest = st[0];
        way = 0;
        for (unsigned w = 1; w < ways_; ++w) {
            bool older = st[w] < oldest;
            oldest = older ? st[w] : oldest;
            way = older ? w : way;
        }
        stamp_[base + way] = ++clock_;
    } else {
        way = ways_;
        for (unsigned w = 0; w < ways_; ++w)
            if (tags_[base + w] == kInvalid) { way = w; break; }
        if (way == ways_) way = policy_->victim(set);
        policy_->fill(set, way);
    }
    LineAccess r{false, false, false, 0};
    if (tags_[base + way] != kInvalid) {
        r.evicted = true;
        r.victim_dirty = dirty_[base + way] != 0;
        r.victim = tags_[base + way] << shift_;
        ++evictions_;
        dirty_evictions_ += r.victim_dirty;
    }
    last_slot_ = base + way;
    tags_[last_slot_] = ln;
    dirty_[last_slot_] = (uint8_t)is_write;
    return r;
}

LineAccess CacheArray::install(uint64_t addr) {
    LineAccess r = miss(addr >> shift_, false);
    --count_[0][0];  // not a CPU access
    return r;
}

size_t CacheArray::find(uint64_t ln) const {
    if (tags_[last_slot_] == ln) return last_slot_;
    const size_t base = (size_t)set_of(ln) * ways_;
    for (unsigned w = 0; w < ways_; ++w)
        if (tags_[base + w] == ln) return base + w;
    return npos;
}

CacheLineState CacheArray::state(uint64_t addr) const {
    size_t s = find(addr >> shift_);
    if (s == npos) return CacheLineState::Invalid;
    return dirty_[s] ? CacheLineState::Dirty : CacheLineState::Clean;
}

CacheLineState CacheArray::set_clean(uint64_t addr) {
    size_t s = find(addr >> shift_);
    if (s == npos) return CacheLineState::Invalid;
    CacheLineState was = dirty_[s] ? CacheLineState::Dirty : CacheLineState::Clean;
    dirty_[s] = 0;
    return was;
}

CacheLineState CacheArray::drop(uint64_t addr) {
    size_t s = find(addr >> shift_);
    if (s == npos) return CacheLineState::Invalid;
    CacheLineState was = dirty_[s] ? CacheLineState::Dirty : CacheLineState::Clean;
    tags_[s] = kInvalid;
    dirty_[s] = 0;
    if (kind_ != Kind::Other) stamp_[s] = 0;  // first choice for the next fill of this set
    return was;
}

void CacheArray::valid_lines(std::vector<uint64_t>* out) const {
    for (uint64_t t : tags_)
        if (t != kInvalid) out->push_back(t << shift_);
}

CacheStats CacheArray::stats() const {
    CacheStats s;
    s.read_hits = count_[0][1];
    s.read_misses = count_[0][0];
    s.write_hits = count_[1][1];
    s.write_misses = count_[1][0];
    s.read_accesses = s.read_hits + s.read_misses;
    s.write_accesses = s.write_hits + s.write_misses;
    s.hits = s.read_hits + s.write_hits;
    s.misses = s.read_misses + s.write_misses;
    s.accesses = s.hits + s.misses;
    s.evictions = evictions_;
    s.writebacks = dirty_evictions_;
    return s;
}

}  // namespace staleline

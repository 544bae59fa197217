#include "cache/Cache.h"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace staleline {

const char* to_string(MaintenanceOp op) {
    switch (op) {
    case MaintenanceOp::Clean: return "clean";
    case MaintenanceOp::Invalidate: return "invalidate";
    case MaintenanceOp::CleanInvalidate: return "clean+invalidate";
    }
    return "?";
}

using sc_core::sc_time;
using sc_core::SC_NS;

Cache::Cache(sc_core::sc_module_name name, const Config& cfg)
    : sc_module(name),
      cpu_socket("cpu_socket"),
      mem_socket("mem_socket"),
      array_(CacheArray::from_config(cfg)),
      hit_latency_((double)cfg.get_int("cache.hit_latency_ns"), SC_NS),
      miss_latency_((double)cfg.get_int("cache.miss_latency_ns"), SC_NS),
      maint_line_((double)cfg.get_int("cache.maint_line_ns"), SC_NS),
      adversary_(cfg) {
    // A line must sit inside one view page: fills and write-backs point into it.
    if (array_->line_size() > SparsePages::kPageSize)
        throw ConfigError("cache.line", "must not exceed 4096 bytes");
    cpu_socket.register_b_transport(this, &Cache::cpu_b_transport);
    cpu_socket.register_transport_dbg(this, &Cache::cpu_transport_dbg);
}

bool Cache::line_range(uint64_t pa, size_t len, uint64_t* first, uint64_t* last) const {
    if (len == 0) return false;
    const unsigned shift = array_->line_shift();
    uint64_t end = len - 1 > ~0ULL - pa ? ~0ULL : pa + (len - 1);  // clamp at the top of the space
    *first = pa >> shift;
    *last = end >> shift;
    return true;
}

void Cache::access(uint64_t pa, size_t len, bool is_write, sc_time& delay) {
    uint64_t ln, last;
    if (!line_range(pa, len, &ln, &last)) return;
    const unsigned shift = array_->line_shift();
    for (;;) {
        const uint64_t line = ln << shift;
        LineAccess r = array_->access(line, is_write);
        if (r.hit) delay += hit_latency_;
        else on_miss(line, r, delay);
        if (ln == last) break;
        ++ln;
    }
}

void Cache::on_miss(uint64_t line, const LineAccess& r, sc_time& delay) {
    delay += miss_latency_;
    evict_victim(r, delay);
    bus(tlm::TLM_READ_COMMAND, line, delay);
    if (observer_) observer_->on_fill(line, line_size(), now(delay));
}

void Cache::evict_victim(const LineAccess& r, sc_time& delay) {
    if (!r.evicted) return;
    // The array already counted the eviction and its write-back.
    if (r.victim_dirty) {
        if (observer_) observer_->on_before_writeback(r.victim, line_size(), WritebackCause::Eviction, now(delay));
        bus(tlm::TLM_WRITE_COMMAND, r.victim, delay);
        if (observer_) observer_->on_writeback(r.victim, line_size(), WritebackCause::Eviction, now(delay));
    }
    if (observer_) observer_->on_drop(r.victim, line_size(), DropCause::Eviction, now(delay));
}

void Cache::bus(tlm::tlm_command cmd, uint64_t line, sc_time& delay) {
    const unsigned len = (unsigned)line_size();
    bus_.set_command(cmd);
    bus_.set_address(line);
    bus_.set_data_ptr(view_.page(line, true) + (line & SparsePages::kPageMask));
    bus_.set_data_length(len);
    bus_.set_streaming_width(len);
    bus_.set_byte_enable_ptr(nullptr);
    bus_.set_byte_enable_length(0);
    bus_.set_dmi_allowed(false);
    bus_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    mem_socket->b_transport(bus_, delay);
    if (bus_.is_response_error()) {
        std::ostringstream msg;
        msg << name() << ": DRAM answered " << bus_.get_response_string() << " to the "
            << (cmd == tlm::TLM_READ_COMMAND ? "fill" : "write-back") << " of line 0x" << std::hex << line;
        throw std::runtime_error(msg.str());
    }
}

void Cache::write_back(uint64_t line, WritebackCause cause, sc_time& delay) {
    if (observer_) observer_->on_before_writeback(line, line_size(), cause, now(delay));
    bus(tlm::TLM_WRITE_COMMAND, line, delay);
    ++maint_.writebacks;
    if (observer_) observer_->on_writeback(line, line_size(), cause, now(delay));
}

void Cache::drop(uint64_t line, DropCause cause, bool was_dirty, sc_time& delay) {
    if (observer_) {
        if (was_dirty) observer_->on_discard(line, line_size(), now(delay));
        observer_->on_drop(line, line_size(), cause, now(delay));
    }
}

template <typename Op>
uint64_t Cache::for_lines(uint64_t pa, size_t len, Op op) {
    uint64_t first, last;
    if (!line_range(pa, len, &first, &last)) return 0;
    const unsigned shift = array_->line_shift();
    const uint64_t n = last - first + 1;  // cannot overflow: first >= 0, line numbers < 2^61
    const uint64_t slots = (uint64_t)array_->sets() * array_->ways();
    if (n <= slots) {
        for (uint64_t ln = first;; ++ln) {
            op(ln << shift);
            if (ln == last) break;
        }
    } else {
        // A range larger than the cache: visit what is cached instead of every line.
        scratch_.clear();
        array_->valid_lines(&scratch_);
        std::sort(scratch_.begin(), scratch_.end());
        for (uint64_t line : scratch_) {
            uint64_t ln = line >> shift;
            if (ln >= first && ln <= last) op(line);
        }
    }
    return n;
}

void Cache::clean(uint64_t pa, size_t len, sc_time& delay) {
    maintenance_begin(MaintenanceOp::Clean, pa, len, delay);
    uint64_t n = for_lines(pa, len, [&](uint64_t line) {
        if (array_->set_clean(line) == CacheLineState::Dirty) {
            ++maint_.cleans;
            write_back(line, WritebackCause::Clean, delay);
        }
    });
    account_maintenance(n, delay);
    maintenance_end(MaintenanceOp::Clean, pa, len, delay);
}

void Cache::invalidate(uint64_t pa, size_t len, sc_time& delay) {
    maintenance_begin(MaintenanceOp::Invalidate, pa, len, delay);
    uint64_t n = for_lines(pa, len, [&](uint64_t line) {
        CacheLineState was = array_->drop(line);
        if (was == CacheLineState::Invalid) return;
        ++maint_.invalidates;
        if (was == CacheLineState::Dirty) ++maint_.discarded_dirty_lines;
        drop(line, DropCause::Invalidate, was == CacheLineState::Dirty, delay);
    });
    account_maintenance(n, delay);
    maintenance_end(MaintenanceOp::Invalidate, pa, len, delay);
}

void Cache::clean_invalidate(uint64_t pa, size_t len, sc_time& delay) {
    maintenance_begin(MaintenanceOp::CleanInvalidate, pa, len, delay);
    uint64_t n = for_lines(pa, len, [&](uint64_t line) {
        CacheLineState was = array_->state(line);
        if (was == CacheLineState::Invalid) return;
        if (was == CacheLineState::Dirty) {
            ++maint_.cleans;
            write_back(line, WritebackCause::Clean, delay);
        }
        array_->drop(line);
        ++maint_.invalidates;
        drop(line, DropCause::Invalidate, false, delay);
    });
    account_maintenance(n, delay);
    maintenance_end(MaintenanceOp::CleanInvalidate, pa, len, delay);
}

void Cache::maintenance_begin(MaintenanceOp op, uint64_t pa, size_t len, const sc_time& delay) {
    if (observer_ && len) observer_->on_maintenance_begin(op, pa, len, now(delay));
}

void Cache::maintenance_end(MaintenanceOp op, uint64_t pa, size_t len, const sc_time& delay) {
    if (observer_ && len) observer_->on_maintenance_end(op, pa, len, now(delay));
}

// ---- the adversary ----

namespace {
// The local offset that makes now() return `when`.
sc_time offset_to(const sc_time& when) {
    const sc_time t = sc_core::sc_time_stamp();
    return when > t ? when - t : sc_core::SC_ZERO_TIME;
}
}  // namespace

void Cache::device_access_begin(bool is_write, uint64_t pa, size_t len, const sc_time& when) {
    if (!is_write || !adversary_.prefetches()) return;
    uint64_t first, last;
    if (!line_range(pa, len, &first, &last)) return;
    const unsigned shift = array_->line_shift();
    for (uint64_t ln = first;; ++ln) {
        const uint64_t line = ln << shift;
        if (array_->state(line) == CacheLineState::Invalid && adversary_.may_prefetch(line) && adversary_.strike())
            speculative_fill(line, when);
        if (ln == last) break;
    }
}

void Cache::device_access_end(bool is_write, uint64_t pa, size_t len, const sc_time& when) {
    if (!is_write || !adversary_.evicts()) return;
    uint64_t first, last;
    if (!line_range(pa, len, &first, &last)) return;
    const unsigned shift = array_->line_shift();
    for (uint64_t ln = first;; ++ln) {
        const uint64_t line = ln << shift;
        if (array_->state(line) == CacheLineState::Dirty && adversary_.strike()) force_out(line, when);
        if (ln == last) break;
    }
    if (!adversary_.strike()) return;
    // A dirty line anywhere, at a time the driver did not choose.
    scratch_.clear();
    array_->valid_lines(&scratch_);
    std::sort(scratch_.begin(), scratch_.end());
    std::vector<uint64_t> dirty;
    for (uint64_t line : scratch_)
        if (array_->state(line) == CacheLineState::Dirty) dirty.push_back(line);
    if (!dirty.empty()) force_out(dirty[adversary_.pick(dirty.size())], when);
}

void Cache::speculative_fill(uint64_t line, const sc_time& when) {
    sc_time d = offset_to(when);
    evict_victim(array_->install(line), d);
    bus(tlm::TLM_READ_COMMAND, line, d);
    ++maint_.adversary_fills;
    if (observer_) observer_->on_fill(line, line_size(), now(d));
}

void Cache::force_out(uint64_t line, const sc_time& when) {
    sc_time d = offset_to(when);
    write_back(line, WritebackCause::Eviction, d);
    array_->drop(line);
    ++maint_.adversary_evictions;
    drop(line, DropCause::Eviction, false, d);
}

// ---- conservative checking ----

void Cache::adopt_cpu_writes(uint64_t pa, sc_time& delay) {
    const uint64_t line = array_->line_base(pa);
    LineAccess r = array_->access(line, true);
    if (!r.hit) evict_victim(r, delay);
}

void Cache::refresh_view(uint64_t pa, size_t len) {
    uint64_t first, last;
    if (!line_range(pa, len, &first, &last)) return;
    const unsigned shift = array_->line_shift();
    const unsigned n = (unsigned)line_size();
    for (uint64_t ln = first;; ++ln) {
        const uint64_t line = ln << shift;
        if (array_->state(line) == CacheLineState::Invalid) {
            tlm::tlm_generic_payload dbg;
            dbg.set_command(tlm::TLM_READ_COMMAND);
            dbg.set_address(line);
            dbg.set_data_ptr(view_.page(line, true) + (line & SparsePages::kPageMask));
            dbg.set_data_length(n);
            mem_socket->transport_dbg(dbg);
        }
        if (ln == last) break;
    }
}

void Cache::snoop_read(uint64_t pa, size_t len, sc_time& delay) {
    for_lines(pa, len, [&](uint64_t line) {
        if (array_->set_clean(line) == CacheLineState::Dirty) {
            ++maint_.snoop_writebacks;
            write_back(line, WritebackCause::Snoop, delay);
        }
    });
}

void Cache::snoop_write(uint64_t pa, size_t len, sc_time& delay) {
    for_lines(pa, len, [&](uint64_t line) {
        CacheLineState was = array_->state(line);
        if (was == CacheLineState::Invalid) return;
        // Write back first: the device may overwrite only part of the line.
        if (was == CacheLineState::Dirty) {
            ++maint_.snoop_writebacks;
            write_back(line, WritebackCause::Snoop, delay);
        }
        array_->drop(line);
        ++maint_.snoop_invalidates;
        drop(line, DropCause::Snoop, false, delay);
    });
}

void Cache::account_maintenance(uint64_t lines, sc_time& delay) {
    maint_.maintenance_lines += lines;
    delay += sc_time::from_value(maint_line_.value() * lines);
}

const CacheStats& Cache::stats() const {
    stats_ = array_->stats();
    stats_.writebacks += maint_.writebacks;
    stats_.cleans = maint_.cleans;
    stats_.invalidates = maint_.invalidates;
    stats_.discarded_dirty_lines = maint_.discarded_dirty_lines;
    stats_.maintenance_lines = maint_.maintenance_lines;
    stats_.snoop_writebacks = maint_.snoop_writebacks;
    stats_.snoop_invalidates = maint_.snoop_invalidates;
    stats_.adversary_fills = maint_.adversary_fills;
    stats_.adversary_evictions = maint_.adversary_evictions;
    return stats_;
}

void Cache::cpu_b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    const uint64_t addr = trans.get_address();
    const size_t len = trans.get_data_length();
    uint8_t* data = trans.get_data_ptr();
    const uint8_t* be = trans.get_byte_enable_ptr();
    const size_t be_len = trans.get_byte_enable_length();
    const size_t sw = trans.get_streaming_width();
    if (trans.is_read() == trans.is_write() || len == 0) {  // IGNORE, or nothing to move
        trans.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (!data) return trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    if (sw != 0 && sw < len) return trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);  // CPU accesses do not stream
    if (be && be_len == 0) return trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    if (len - 1 > ~0ULL - addr) return trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    access(addr, len, trans.is_write(), delay);
    if (!be) {
        if (trans.is_read()) view_.read(addr, data, len);
        else view_.write(addr, data, len);
    } else {
        for (size_t i = 0; i < len; ++i) {
            if (be[i % be_len] == 0) continue;
            if (trans.is_read()) view_.read(addr + i, data + i, 1);
            else *view_.byte(addr + i) = data[i];
        }
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// What the CPU would see (or where its write would land) without changing any state:
// valid lines come from the view, the others from DRAM.
unsigned int Cache::cpu_transport_dbg(tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    size_t len = trans.get_data_length();
    uint8_t* data = trans.get_data_ptr();
    if (!data || len == 0 || trans.is_read() == trans.is_write()) return 0;
    if (len - 1 > ~0ULL - addr) len = (size_t)(~0ULL - addr) + 1;
    size_t done = 0;
    while (done < len) {
        uint64_t a = addr + done;
        size_t n = std::min<uint64_t>(len - done, line_size() - (a & (line_size() - 1)));
        if (array_->state(a) != CacheLineState::Invalid) {
            if (trans.is_read()) view_.read(a, data + done, n);
            else view_.write(a, data + done, n);
        } else {
            tlm::tlm_generic_payload dbg;
            dbg.set_command(trans.get_command());
            dbg.set_address(a);
            dbg.set_data_ptr(data + done);
            dbg.set_data_length((unsigned)n);
            if (mem_socket->transport_dbg(dbg) != n) break;
        }
        done += n;
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return (unsigned int)done;
}

}  // namespace staleline

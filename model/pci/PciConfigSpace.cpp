#include "PciConfigSpace.h"

namespace staleline {

namespace {
constexpr uint32_t kBarMem64 = 0x4;  // bits 2:1 = 10b: 64-bit memory BAR, not prefetchable
constexpr uint32_t kBarIo = 0x1;     // bit 0: I/O space
constexpr uint16_t kMsiControl64 = 1u << 7;
}  // namespace

PciConfigSpace::PciConfigSpace(const PciDeviceInfo& info) : info_(info) {
    bars_ = info_.bars;
    bool any = false;
    for (const PciBar& b : bars_) any = any || b.type != PciBarType::None;
    if (!any) bars_[0] = PciBar{PciBarType::Mem64, info_.bar0_size};
    // Every entry comes out of reset masked (PCI 3.0, 6.8.2.9).
    msix_table_.assign(4 * (std::size_t)info_.msix_vectors, 0);
    for (unsigned v = 0; v < info_.msix_vectors; ++v) msix_table_[4 * v + 3] = kMsixVectorMasked;
}

uint32_t PciConfigSpace::read32(unsigned off) const {
    switch (off) {
    case 0x00: return info_.vendor_id | (uint32_t)info_.device_id << 16;
    case 0x04: return command_ | (uint32_t)status_ << 16;
    case 0x08: return info_.revision | info_.class_code << 8;
    case 0x0c: return cache_line_ | (uint32_t)latency_ << 8;  // header type 0, no BIST
    case 0x10: case 0x14: case 0x18: case 0x1c: case 0x20: case 0x24: {
        const unsigned i = (off - kBar0) / 4;
        if (i > 0 && bars_[i - 1].type == PciBarType::Mem64) return (uint32_t)(bar_addr_[i - 1] >> 32);
        switch (bars_[i].type) {
        case PciBarType::Mem64: return (uint32_t)bar_addr_[i] | kBarMem64;
        case PciBarType::Mem32: return (uint32_t)bar_addr_[i];
        case PciBarType::Io: return (uint32_t)bar_addr_[i] | kBarIo;
        default: return 0;
        }
    }
    case 0x2c: return info_.vendor_id | (uint32_t)info_.device_id << 16;  // subsystem ids
    case 0x34: return info_.msi_capable ? kMsiCap : msix_capable() ? kMsixCap : 0;
    case 0x3c: return int_line_ | (uint32_t)info_.interrupt_pin << 8;
    case kMsiCap:
        if (!info_.msi_capable) return 0;
        // cap id MSI, next: MSI-X or the end of the list
        return 0x05 | (msix_capable() ? kMsixCap << 8 : 0u) | (uint32_t)(msi_control_ | kMsiControl64) << 16;
    case kMsiCap + 4: return info_.msi_capable ? (uint32_t)msi_address_ : 0;
    case kMsiCap + 8: return info_.msi_capable ? (uint32_t)(msi_address_ >> 32) : 0;
    case kMsiCap + 12: return info_.msi_capable ? msi_data_ : 0;
    case kMsixCap:  // cap id MSI-X, last in the list; table size is N-1
        if (!msix_capable()) return 0;
        return 0x11 | (uint32_t)(msix_control_ | (info_.msix_vectors - 1)) << 16;
    case kMsixCap + 4: return msix_capable() ? (uint32_t)msix_table_offset() : 0;  // BIR 0
    case kMsixCap + 8: return msix_capable() ? (uint32_t)msix_pba_offset() : 0;    // BIR 0
    default: return 0;  // reserved / unimplemented
    }
}

void PciConfigSpace::write32(unsigned off, uint32_t v, uint32_t m) {
    auto merge = [&](uint32_t old) { return (old & ~m) | (v & m); };
    switch (off) {
    case 0x04: {
        const uint16_t writable = kCmdMemory | kCmdBusMaster | kCmdIntxDisable;
        uint32_t cur = merge(command_);
        command_ = (uint16_t)(cur & writable);
        // status: error bits are write-1-to-clear
        uint16_t clear = (uint16_t)((v & m) >> 16) & (kStatusSignaledAbort | kStatusReceivedMasterAbort);
        status_ &= (uint16_t)~clear;
        break;
    }
    case 0x0c: {
        uint32_t cur = merge(cache_line_ | (uint32_t)latency_ << 8);
        cache_line_ = (uint8_t)cur;
        latency_ = (uint8_t)(cur >> 8);
        break;
    }
    case 0x10: case 0x14: case 0x18: case 0x1c: case 0x20: case 0x24: {
        // Size probing: the low address bits below the BAR size are hard-wired to zero.
        const unsigned i = (off - kBar0) / 4;
        if (i > 0 && bars_[i - 1].type == PciBarType::Mem64) {  // upper half of a 64-bit BAR
            uint64_t& a = bar_addr_[i - 1];
            uint32_t hi = merge((uint32_t)(a >> 32));
            a = (((uint64_t)hi << 32) | (a & 0xffffffffULL)) & ~(bars_[i - 1].size - 1);
            break;
        }
        if (bars_[i].type == PciBarType::None) break;
        uint64_t& a = bar_addr_[i];
        const uint32_t flags = bars_[i].type == PciBarType::Io ? 0x3u : 0xfu;
        uint32_t lo = merge((uint32_t)a) & ~flags;
        a = ((bars_[i].type == PciBarType::Mem64 ? a & 0xffffffff00000000ULL : 0) | lo) & ~(bars_[i].size - 1);
        break;
    }
    case 0x3c: int_line_ = (uint8_t)merge(int_line_); break;
    case kMsiCap:
        if (info_.msi_capable) {
            // enable (bit 0) and multiple-message-enable (6:4, only 1 vector supported: stays 0)
            uint16_t ctl = (uint16_t)(merge((uint32_t)msi_control_ << 16) >> 16);
            msi_control_ = ctl & 0x1;
        }
        break;
    case kMsiCap + 4:
        if (info_.msi_capable) msi_address_ = (msi_address_ & 0xffffffff00000000ULL) | (merge((uint32_t)msi_address_) & ~0x3u);
        break;
    case kMsiCap + 8:
        if (info_.msi_capable)
            msi_address_ = ((uint64_t)merge((uint32_t)(msi_address_ >> 32)) << 32) | (msi_address_ & 0xffffffffULL);
        break;
    case kMsiCap + 12:
        if (info_.msi_capable) msi_data_ = (uint16_t)merge(msi_data_);
        break;
    case kMsixCap:
        if (msix_capable()) {
            // only enable and function mask are writable
            uint16_t ctl = (uint16_t)(merge((uint32_t)msix_control_ << 16) >> 16);
            msix_control_ = ctl & (kMsixEnable | kMsixFunctionMask);
        }
        break;
    default: break;  // read-only or reserved: ignored
    }
}

bool PciConfigSpace::in_msix_region(uint64_t offset, unsigned len) const {
    if (!msix_capable()) return false;
    const uint64_t begin = msix_table_offset(), end = msix_pba_offset() + 8;  // up to 64 pending bits
    return offset < end && offset + len > begin;
}

uint64_t PciConfigSpace::msix_read(uint64_t offset, unsigned size) const {
    auto word = [&](uint64_t off) -> uint32_t {
        if (off >= msix_pba_offset()) return (uint32_t)(msix_pba_ >> (off - msix_pba_offset()) * 8);
        uint64_t i = (off - msix_table_offset()) / 4;
        return i < msix_table_.size() ? msix_table_[i] : 0;
    };
    uint64_t v = word(offset);
    if (size == 8) v |= (uint64_t)word(offset + 4) << 32;
    return v;
}

void PciConfigSpace::msix_write(uint64_t offset, unsigned size, uint64_t value) {
    for (unsigned k = 0; k < size / 4; ++k) {
        uint64_t off = offset + 4 * k;
        if (off < msix_table_offset() || off >= msix_pba_offset()) continue;  // the PBA is read-only
        uint64_t i = (off - msix_table_offset()) / 4;
        uint32_t w = (uint32_t)(value >> 32 * k);
        if (i % 4 == 0) w &= ~0x3u;                // the message address is dword aligned
        if (i % 4 == 3) w &= kMsixVectorMasked;    // vector control: only the mask bit
        msix_table_[i] = w;
    }
}

uint64_t PciConfigSpace::msix_address(unsigned v) const {
    return v < info_.msix_vectors ? msix_table_[4 * v] | (uint64_t)msix_table_[4 * v + 1] << 32 : 0;
}

uint32_t PciConfigSpace::msix_data(unsigned v) const { return v < info_.msix_vectors ? msix_table_[4 * v + 2] : 0; }

bool PciConfigSpace::msix_vector_masked(unsigned v) const {
    return v >= info_.msix_vectors || (msix_table_[4 * v + 3] & kMsixVectorMasked);
}

void PciConfigSpace::set_msix_pending(unsigned v, bool pending) {
    if (v >= info_.msix_vectors) return;
    if (pending) msix_pba_ |= 1ULL << v;
    else msix_pba_ &= ~(1ULL << v);
}

uint32_t PciConfigSpace::read(unsigned offset, unsigned size) const {
    uint32_t word = read32(offset & ~3u);
    unsigned shift = (offset & 3) * 8;
    uint32_t mask = size >= 4 ? 0xffffffffu : ((1u << (size * 8)) - 1);
    return (word >> shift) & mask;
}

void PciConfigSpace::write(unsigned offset, unsigned size, uint32_t value) {
    unsigned shift = (offset & 3) * 8;
    uint32_t mask = size >= 4 ? 0xffffffffu : ((1u << (size * 8)) - 1);
    write32(offset & ~3u, value << shift, mask << shift);
}

void PciConfigSpace::set_intx_status(bool asserted) {
    if (asserted) status_ |= kStatusIntx;
    else status_ &= (uint16_t)~kStatusIntx;
}

}  // namespace staleline

// PciConfigSpace: the type-0 configuration header of one PCI function: ids, command
// (memory space, bus master, interrupt disable), six BAR registers with size probing (64-bit
// and 32-bit memory BARs, I/O BARs that are declared but never decoded),
// an MSI capability (64-bit address, 16-bit data), an MSI-X capability with its table and
// pending-bit array (only for a function that has MSI-X) and the interrupt pin/line.
// Reserved and unimplemented registers read as zero and ignore writes, as the PCI spec
// asks of them.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace staleline {

// The kind of one base address register (the values of sl_bar_type_t).
enum class PciBarType : uint8_t { None = 0, Mem64 = 1, Mem32 = 2, Io = 3 };

struct PciBar {
    PciBarType type = PciBarType::None;
    uint64_t size = 0;
    bool memory() const { return type == PciBarType::Mem64 || type == PciBarType::Mem32; }
};

struct PciDeviceInfo {
    uint16_t vendor_id = 0x1b36;  // an id range commonly used by emulated devices
    uint16_t device_id = 0x0001;
    uint8_t revision = 1;
    uint32_t class_code = 0x088000;  // base 08 (system peripheral), sub 80 (other)
    uint64_t bar0_size = 4096;       // power of two, >= 4 KiB; used when `bars` are all None
    std::array<PciBar, 6> bars{};    // all None: BAR0 is a 64-bit memory BAR of bar0_size
    bool msi_capable = true;
    uint8_t interrupt_pin = 1;  // INTA; 0 = none
    unsigned msix_vectors = 0;       // MSI-X table entries, 0 = no MSI-X capability
    uint32_t msix_table_offset = 0;  // in BAR0, a multiple of 8; the PBA follows the table
};

class PciConfigSpace {
public:
    // Register offsets and bits the rest of the model uses.
    static constexpr unsigned kCommand = 0x04, kStatus = 0x06, kBar0 = 0x10, kCapPtr = 0x34;
    static constexpr unsigned kBarCount = 6;
    static constexpr unsigned kIntLine = 0x3c, kIntPin = 0x3d, kMsiCap = 0x50;
    static constexpr uint16_t kCmdMemory = 1u << 1, kCmdBusMaster = 1u << 2, kCmdIntxDisable = 1u << 10;
    static constexpr uint16_t kStatusIntx = 1u << 3, kStatusCapList = 1u << 4;
    static constexpr unsigned kMsixCap = 0x60, kMsixEntryBytes = 16;
    static constexpr uint16_t kMsixFunctionMask = 1u << 14, kMsixEnable = 1u << 15;
    static constexpr uint32_t kMsixVectorMasked = 1u;  // vector control word, bit 0
    static constexpr uint16_t kStatusSignaledAbort = 1u << 11, kStatusReceivedMasterAbort = 1u << 13;

    explicit PciConfigSpace(const PciDeviceInfo& info);

    // Config accesses of 1, 2 or 4 bytes at a naturally aligned offset (0..4095).
    uint32_t read(unsigned offset, unsigned size) const;
    void write(unsigned offset, unsigned size, uint32_t value);

    const PciDeviceInfo& info() const { return info_; }
    uint16_t command() const { return command_; }
    bool memory_enabled() const { return command_ & kCmdMemory; }
    bool bus_master() const { return command_ & kCmdBusMaster; }
    bool intx_disabled() const { return command_ & kCmdIntxDisable; }
    // BAR i (0..5): its type (the upper half of a 64-bit BAR reads None), size and the base
    // address firmware programmed (address bits only).
    PciBarType bar_type(unsigned i) const { return i < kBarCount ? bars_[i].type : PciBarType::None; }
    uint64_t bar_size(unsigned i) const { return i < kBarCount ? bars_[i].size : 0; }
    uint64_t bar_base(unsigned i) const { return i < kBarCount ? bar_addr_[i] & ~(bars_[i].size - 1) : 0; }
    uint64_t bar0_base() const { return bar_base(0); }
    uint64_t bar0_size() const { return bar_size(0); }
    bool msi_enabled() const { return info_.msi_capable && (msi_control_ & 1); }
    uint64_t msi_address() const { return msi_address_; }
    uint16_t msi_data() const { return msi_data_; }
    uint8_t interrupt_line() const { return int_line_; }

    // MSI-X. The table and the PBA are BAR0 memory the PCI host serves (msix_read/write take
    // offsets in BAR0, 4 or 8 bytes, naturally aligned).
    bool msix_capable() const { return info_.msix_vectors != 0; }
    bool msix_enabled() const { return msix_capable() && (msix_control_ & kMsixEnable); }
    bool msix_function_masked() const { return msix_control_ & kMsixFunctionMask; }
    uint64_t msix_table_offset() const { return info_.msix_table_offset; }
    uint64_t msix_pba_offset() const { return info_.msix_table_offset + (uint64_t)kMsixEntryBytes * info_.msix_vectors; }
    // Whether [offset, offset + len) of BAR0 touches the table or the PBA.
    bool in_msix_region(uint64_t offset, unsigned len) const;
    uint64_t msix_read(uint64_t offset, unsigned size) const;
    void msix_write(uint64_t offset, unsigned size, uint64_t value);
    uint64_t msix_address(unsigned vector) const;
    uint32_t msix_data(unsigned vector) const;
    bool msix_vector_masked(unsigned vector) const;
    bool msix_pending(unsigned vector) const { return (msix_pba_ >> vector) & 1; }
    void set_msix_pending(unsigned vector, bool pending);

    // Status bits the device side sets.
    void set_intx_status(bool asserted);
    void set_status_bits(uint16_t bits) { status_ |= bits; }

private:
    uint32_t read32(unsigned offset) const;
    void write32(unsigned offset, uint32_t value, uint32_t byte_mask);

    PciDeviceInfo info_;
    uint16_t command_ = 0;
    uint16_t status_ = kStatusCapList;
    uint8_t cache_line_ = 0, latency_ = 0, int_line_ = 0xff;
    std::array<PciBar, kBarCount> bars_{};   // resolved from info_ (legacy: BAR0 64-bit memory)
    std::array<uint64_t, kBarCount> bar_addr_{};  // address bits only; type bits are added on read
    uint16_t msi_control_ = 0;
    uint64_t msi_address_ = 0;
    uint16_t msi_data_ = 0;
    uint16_t msix_control_ = 0;
    std::vector<uint32_t> msix_table_;  // 4 words per entry: address lo, hi, data, vector control
    uint64_t msix_pba_ = 0;
};

}  // namespace staleline

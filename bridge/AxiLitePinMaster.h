// AxiLitePinMaster: the pin side of the AXI4-Lite target bridge. It is the master on a
// Verilated model's AXI4-Lite slave port (ports named s_axil_*, 32-bit data, an address as
// wide as the BAR: addresses are masked with `addr_mask`) and carries out
// one AxiLiteAccess at a time: a write presents AW and W together and takes B, a read
// presents AR and takes R (BREADY and RREADY stay high). drive() before an edge, sample()
// at the edge, like Axi4PinSlave.
//
// Header-only template over the Verilated top class; include only from translation units
// without SystemC.
#pragma once

#include <cstdint>

#include "bridge/AxiLiteAccess.h"

namespace staleline {

template <class Top>
class AxiLitePinMaster {
public:
    explicit AxiLitePinMaster(uint32_t addr_mask = 0xFFF) : mask_(addr_mask) {}

    bool busy() const { return cur_ != nullptr; }

    void start(AxiLiteAccess* a) {
        cur_ = a;
        aw_ = w_ = a->is_write;
        ar_ = !a->is_write;
    }

    void drive(Top& m) const {
        m.s_axil_awvalid = aw_;
        m.s_axil_wvalid = w_;
        m.s_axil_arvalid = ar_;
        m.s_axil_bready = 1;
        m.s_axil_rready = 1;
        if (cur_) {
            m.s_axil_awaddr = cur_->addr & mask_;
            m.s_axil_araddr = cur_->addr & mask_;
            m.s_axil_wdata = cur_->wdata;
            m.s_axil_wstrb = cur_->wstrb & 0xF;
        }
    }

    // The access finished at this edge, or nullptr.
    AxiLiteAccess* sample(const Top& m) {
        if (!cur_) return nullptr;
        if (cur_->is_write) {
            bool b = !aw_ && !w_ && m.s_axil_bvalid;  // B can only follow both handshakes
            if (aw_ && m.s_axil_awready) aw_ = false;
            if (w_ && m.s_axil_wready) w_ = false;
            if (!b) return nullptr;
            cur_->resp = (AxiResp)(m.s_axil_bresp & 3);
        } else {
            bool r = !ar_ && m.s_axil_rvalid;
            if (ar_ && m.s_axil_arready) ar_ = false;
            if (!r) return nullptr;
            cur_->rdata = m.s_axil_rdata;
            cur_->resp = (AxiResp)(m.s_axil_rresp & 3);
        }
        AxiLiteAccess* done = cur_;
        cur_ = nullptr;
        return done;
    }

    // rst_n: abandon the access in progress (the caller completes it).
    AxiLiteAccess* reset() {
        AxiLiteAccess* a = cur_;
        cur_ = nullptr;
        aw_ = w_ = ar_ = false;
        return a;
    }

private:
    uint32_t mask_;
    AxiLiteAccess* cur_ = nullptr;
    bool aw_ = false, w_ = false, ar_ = false;  // address/data still to be accepted
};

}  // namespace staleline

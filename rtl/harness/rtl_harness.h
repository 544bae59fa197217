/* C API of the DMA engine RTL test harness (rtl/harness): a Verilated dma_engine with an
 * AXI4-Lite register master and an AXI4 slave memory. For CUnit tests written in C.
 *
 * Functions returning int give 0 (or an AXI response code, 0 = OKAY) on success and -1 on
 * failure; sl_rtl_last_error() then says why. Nothing here aborts on bad input.
 */
#ifndef SL_RTL_HARNESS_H
#define SL_RTL_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_rtl sl_rtl_t;

/* AXI response codes. */
enum { SL_AXI_OKAY = 0, SL_AXI_EXOKAY = 1, SL_AXI_SLVERR = 2, SL_AXI_DECERR = 3 };

/* Create a harness; the engine comes out of reset. vcd_path: NULL or "" for no waveform.
 * Returns NULL on failure (sl_rtl_last_error()). */
sl_rtl_t* sl_rtl_create(const char* vcd_path);
void sl_rtl_destroy(sl_rtl_t* h);
const char* sl_rtl_last_error(void);

/* Clock and reset. */
int sl_rtl_reset(sl_rtl_t* h, unsigned cycles);          /* rst_n low for `cycles` clocks */
int sl_rtl_tick(sl_rtl_t* h, uint64_t cycles);
uint64_t sl_rtl_cycles(const sl_rtl_t* h);
/* Cycles run until idle, or -1 if not idle after max_cycles. */
int64_t sl_rtl_run_until_idle(sl_rtl_t* h, uint64_t max_cycles);
/* Cycles run until irq is high or a new MSI was written, or -1. */
int64_t sl_rtl_run_until_interrupt(sl_rtl_t* h, uint64_t max_cycles);
int sl_rtl_idle(const sl_rtl_t* h);                       /* engine idle and no bus traffic */
int sl_rtl_irq(const sl_rtl_t* h);                        /* level of the irq pin */
int sl_rtl_waiting(const sl_rtl_t* h);                    /* the engine's `waiting` output */
/* Skip mode (what the TLM bridge does): a cycle in which the engine is `waiting`, no register
 * access is under way and the memory has no response due is counted but not evaluated.
 * Every observation (bursts and their cycles, MSIs, memory, registers) stays the same if
 * `waiting` is exact. sl_rtl_cycles_skipped() counts the cycles not evaluated. */
int sl_rtl_set_skip_waiting(sl_rtl_t* h, int on);
uint64_t sl_rtl_cycles_skipped(const sl_rtl_t* h);
uint64_t sl_rtl_irq_rises(const sl_rtl_t* h);

/* Registers (offset in BAR0, 0..0xFFF). Return the AXI response, or -1 on timeout or bad offset. */
int sl_rtl_reg_write(sl_rtl_t* h, uint32_t offset, uint32_t value);
int sl_rtl_reg_write_strobe(sl_rtl_t* h, uint32_t offset, uint32_t value, uint8_t strobes);
int sl_rtl_reg_read(sl_rtl_t* h, uint32_t offset, uint32_t* value);
/* Convenience: the value, or 0xDEADBEEF after a failed read. */
uint32_t sl_rtl_reg(sl_rtl_t* h, uint32_t offset);

/* MSI capability inputs (as PCI config space would drive them). */
int sl_rtl_set_msi(sl_rtl_t* h, int enable, uint64_t addr, uint32_t data);

/* Memory behind the AXI4 master port (sparse, zero-filled). */
int sl_rtl_mem_write(sl_rtl_t* h, uint64_t addr, const void* src, size_t len);
int sl_rtl_mem_read(const sl_rtl_t* h, uint64_t addr, void* dst, size_t len);
int sl_rtl_mem_fill(sl_rtl_t* h, uint64_t addr, uint8_t value, size_t len);
int sl_rtl_mem_write64(sl_rtl_t* h, uint64_t addr, uint64_t value);
uint64_t sl_rtl_mem_read64(const sl_rtl_t* h, uint64_t addr);
uint32_t sl_rtl_mem_read32(const sl_rtl_t* h, uint64_t addr);

/* Memory behaviour. Latency: cycles from address handshake to the first R beat / to B.
 * Back-pressure: percent (0..100) chance that a ready or a new valid is held off a cycle. */
int sl_rtl_set_latency(sl_rtl_t* h, unsigned read_cycles, unsigned write_cycles);
int sl_rtl_set_backpressure(sl_rtl_t* h, unsigned percent, uint64_t seed);
/* Bytes lo..hi (inclusive) answer `resp` (SL_AXI_SLVERR or SL_AXI_DECERR) to reads and/or
 * writes; faulting write bytes are not stored. */
int sl_rtl_add_error_range(sl_rtl_t* h, uint64_t lo, uint64_t hi, int resp, int on_read, int on_write);
int sl_rtl_clear_error_ranges(sl_rtl_t* h);
/* Writes into [base, base+size) are MSI messages: recorded, not stored. size 0: none. */
int sl_rtl_set_msi_window(sl_rtl_t* h, uint64_t base, uint64_t size);

/* Observations. */
typedef struct {
    uint64_t addr;
    unsigned len;       /* AxLEN: beats - 1 */
    unsigned size;      /* AxSIZE */
    unsigned burst;     /* AxBURST (1 = INCR) */
    int is_write;
    uint64_t cycle;
    unsigned resp;      /* worst response given to the burst */
} sl_rtl_burst_t;

size_t sl_rtl_burst_count(const sl_rtl_t* h);
int sl_rtl_burst_get(const sl_rtl_t* h, size_t i, sl_rtl_burst_t* out);
size_t sl_rtl_msi_count(const sl_rtl_t* h);
int sl_rtl_msi_get(const sl_rtl_t* h, size_t i, uint64_t* addr, uint32_t* data, uint64_t* cycle);
/* AXI rule violations seen on the master port (should stay 0). */
size_t sl_rtl_violation_count(const sl_rtl_t* h);
const char* sl_rtl_violation(const sl_rtl_t* h, size_t i);
size_t sl_rtl_outstanding(const sl_rtl_t* h);            /* bursts the memory has not finished */
unsigned sl_rtl_max_outstanding_reads(const sl_rtl_t* h);
uint64_t sl_rtl_beats_read(const sl_rtl_t* h);
uint64_t sl_rtl_beats_written(const sl_rtl_t* h);
uint64_t sl_rtl_beats_without_strobes(const sl_rtl_t* h); /* W beats with WSTRB=0 (soft-reset drain) */
int sl_rtl_clear_logs(sl_rtl_t* h);

#ifdef __cplusplus
}
#endif

#endif

/* ethmac-loopback: Ethernet frames through a driver of the Ethernet MAC protocol
 * (ddk/protocol/ethernet.h) whose device loops every frame it sends back to its receiver.
 *
 * query (MTU, a unicast MAC), start with a client interface, promiscuous mode on (set_param
 * ETHMAC_SETPARAM_PROMISC: ZX_OK or ZX_ERR_NOT_SUPPORTED, frames to our own address come back
 * either way), then workload.transfers frames
 * of seeded lengths in [max(60, workload.min_size), min(workload.max_size, 1514)] with seeded
 * content, at most workload.queue_depth in flight; every frame must come back once, in order,
 * byte for byte. Then promiscuous mode off, and stop.
 *
 * A device model may also receive frames of its own "from the wire" (the rtl8168 model's
 * inject_every): they are recognised by their ethertype, INJECTED_ETHERTYPE, and checked byte
 * for byte too, in order, against the format every model uses (injected_frame below); they
 * do not count as frames sent. Nothing here depends on the device or driver behind the
 * protocol.
 *
 * The driver calls recv with a pointer into its own DMA buffer, from its interrupt thread.
 * This file is not compiled with access instrumentation, so the bytes are copied with
 * sl_driver_memcpy, which reads them through the cache model: what the CPU sees. */
#include <ddk/protocol/ethernet.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include <staleline/driver_prelude.h>
#include <staleline/shim_trace.h>

#include "wl_alloc.h"
#include "wl_util.h"
#include "workloads.h"

#define FRAME_MIN 60u   /* shortest frame without its FCS */
#define FRAME_MAX 1514u /* MTU + addresses + ethertype */
#define ETHERTYPE 0x88b5u /* IEEE 802 local experimental */
#define INJECTED_ETHERTYPE 0x88b6u /* IEEE 802 local experimental 2: frames a device model injects */
#define COPY_MAX 4096u    /* longest frame a driver may hand to recv that is looked at */
/* Simulated time without a frame coming back after which the rest count as lost. */
#define NO_PROGRESS_TIMEOUT ZX_MSEC(100)

typedef struct frame {
    uint8_t data[FRAME_MAX];
    uint32_t len;
} frame_t;

/* Frames in flight: frame i sits in slot i % depth from queue_tx until its copy came back.
 * The sender fills a slot only after the receiver finished with the frame it held (received
 * counts up when a check is complete), so the two threads never touch one slot at once. */
typedef struct loopback {
    sl_workload_result_t* res;
    frame_t* slots;
    uint32_t depth;
    uint64_t sent, received;
    uint64_t extra;   /* frames received beyond those sent */
    uint64_t injected; /* frames the device received from the wire, checked */
    uint8_t mac[ETH_MAC_SIZE];
    uint32_t status;  /* last ethmac_ifc_status() */
    bool status_seen;
    uint8_t copy[COPY_MAX];
} loopback_t;

static void on_status(void* ctx, uint32_t status) {
    loopback_t* lb = ctx;
    lb->status = status;
    lb->status_seen = true;
}

/* Injected frame number n (the device model's side of the format): to our MAC, from
 * 02:00:00:00:00:01, INJECTED_ETHERTYPE, n as 8 little-endian bytes, then bytes
 * (7n + k) & 0xff at offset k; 60 + n % 200 bytes long. */
static uint32_t injected_frame(const uint8_t mac[ETH_MAC_SIZE], uint64_t n, uint8_t* f) {
    static const uint8_t src[ETH_MAC_SIZE] = {0x02, 0, 0, 0, 0, 0x01};
    const uint32_t len = 60 + (uint32_t)(n % 200);
    memcpy(f, mac, ETH_MAC_SIZE);
    memcpy(f + ETH_MAC_SIZE, src, ETH_MAC_SIZE);
    f[12] = INJECTED_ETHERTYPE >> 8;
    f[13] = INJECTED_ETHERTYPE & 0xffu;
    for (int k = 0; k < 8; ++k) f[14 + k] = (uint8_t)(n >> (8 * k));
    for (uint32_t k = 22; k < len; ++k) f[k] = (uint8_t)(n * 7 + k);
    return len;
}

static void check_injected(loopback_t* lb, size_t len) {
    sl_workload_result_t* res = lb->res;
    uint8_t want[FRAME_MAX];
    const uint64_t n = lb->injected++;
    const uint32_t want_len = injected_frame(lb->mac, n, want);
    const size_t common = len < want_len ? len : want_len;
    uint64_t bad = 0, first = 0;
    for (size_t k = 0; k < common; ++k)
        if (lb->copy[k] != want[k] && bad++ == 0) first = k;
    const uint64_t missing = want_len > len ? want_len - len : len - want_len;
    if (missing) wl_detail(res, "injected frame #%llu: %zu bytes came in, %u expected", (unsigned long long)n, len, want_len);
    else if (bad)
        wl_detail(res, "injected frame #%llu (%u bytes): %llu bytes wrong, first at +%llu: 0x%02x, expected 0x%02x",
                  (unsigned long long)n, want_len, (unsigned long long)bad, (unsigned long long)first, lb->copy[first],
                  want[first]);
    res->bytes_checked += want_len > len ? want_len : len;
    res->bad_bytes += bad + missing;
}

static void on_recv(void* ctx, const void* data, size_t len, uint32_t flags) {
    loopback_t* lb = ctx;
    sl_workload_result_t* res = lb->res;
    (void)flags;
    const size_t n = len < sizeof lb->copy ? len : sizeof lb->copy;
    sl_driver_memcpy(lb->copy, data, n); /* what the CPU reads in the driver's buffer */
    if (n >= 14 && lb->copy[12] == INJECTED_ETHERTYPE >> 8 && lb->copy[13] == (INJECTED_ETHERTYPE & 0xffu)) {
        check_injected(lb, n);
        return;
    }
    if (lb->received >= lb->sent) {
        if (lb->extra++ == 0) wl_detail(res, "a frame of %zu bytes came back that was never sent (after frame #%llu)", len,
                                        (unsigned long long)lb->received);
        res->bad_bytes += len ? len : 1;
        return;
    }
    const uint64_t i = lb->received;
    const frame_t* want = &lb->slots[i % lb->depth];
    const size_t common = n < want->len ? n : want->len;
    uint64_t bad = 0, first = 0;
    for (size_t k = 0; k < common; ++k)
        if (lb->copy[k] != want->data[k] && bad++ == 0) first = k;
    const uint64_t missing = want->len > len ? want->len - len : len - want->len;
    if (missing) {
        wl_detail(res, "frame #%llu: %zu bytes came back, %u sent", (unsigned long long)i, len, want->len);
    } else if (bad) {
        wl_detail(res, "frame #%llu (%u bytes): %llu bytes wrong, first at +%llu: 0x%02x, expected 0x%02x",
                  (unsigned long long)i, want->len, (unsigned long long)bad, (unsigned long long)first,
                  lb->copy[first], want->data[first]);
    }
    res->bytes_checked += want->len > len ? want->len : len;
    res->bad_bytes += bad + missing;
    lb->received = i + 1;
    sl_trace_op_end(i); /* the frame is back and read: its operation ends (docs/timeline.md) */
}

static void on_complete_tx(void* ctx, ethmac_netbuf_t* netbuf, zx_status_t status) {
    (void)netbuf;
    loopback_t* lb = ctx;
    wl_status(lb->res, status, "complete_tx");
}

static ethmac_ifc_ops_t kIfcOps = {.status = on_status, .recv = on_recv, .complete_tx = on_complete_tx};

/* Sleep in small steps until `done` holds or nothing came back for NO_PROGRESS_TIMEOUT. */
static bool wait_for(loopback_t* lb, bool (*done)(const loopback_t*)) {
    uint64_t last = lb->received;
    zx_time_t since = zx_clock_get_monotonic();
    zx_duration_t step = ZX_USEC(1);
    while (!done(lb)) {
        zx_nanosleep(zx_deadline_after(step));
        if (lb->received != last) {
            last = lb->received;
            since = zx_clock_get_monotonic();
            step = ZX_USEC(1);
        } else {
            if (zx_clock_get_monotonic() - since > NO_PROGRESS_TIMEOUT) return false;
            if (step < ZX_USEC(16)) step *= 2;
        }
    }
    return true;
}

/* A driver may not filter at all (ZX_ERR_NOT_SUPPORTED); any other error is the driver's. */
static void set_promisc(const ethmac_protocol_t* mac, sl_workload_result_t* res, bool on) {
    if (!mac->ops->set_param) return;
    const zx_status_t st = ethmac_set_param(mac, ETHMAC_SETPARAM_PROMISC, on, NULL, 0);
    if (st != ZX_OK && st != ZX_ERR_NOT_SUPPORTED) wl_status(res, st, "set_param(PROMISC, %d)", on);
}

static bool window_open(const loopback_t* lb) { return lb->sent - lb->received < lb->depth; }
static bool all_back(const loopback_t* lb) { return lb->received >= lb->sent; }

static void make_frame(wl_rng_t* r, const uint8_t mac[ETH_MAC_SIZE], uint64_t index, uint32_t lo, uint32_t hi,
                       frame_t* f) {
    f->len = lo + (uint32_t)wl_rng_below(r, hi - lo + 1);
    memcpy(f->data, mac, ETH_MAC_SIZE);                /* to ourselves */
    memcpy(f->data + ETH_MAC_SIZE, mac, ETH_MAC_SIZE); /* from ourselves */
    f->data[12] = ETHERTYPE >> 8;
    f->data[13] = ETHERTYPE & 0xffu;
    for (int k = 0; k < 4; ++k) f->data[14 + k] = (uint8_t)(index >> (8 * k)); /* sequence number */
    wl_rng_fill(r, f->data + 18, f->len - 18);
}

void wl_ethmac_loopback_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const ethmac_protocol_t* mac = proto;
    ethmac_info_t info;
    zx_status_t st = ethmac_query(mac, 0, &info);
    if (st != ZX_OK) {
        wl_status(res, st, "query");
        return;
    }
    static const uint8_t zero[ETH_MAC_SIZE];
    if (info.mtu < ETH_MTU_SIZE || !memcmp(info.mac, zero, ETH_MAC_SIZE) || (info.mac[0] & 1u) ||
        info.netbuf_size < sizeof(ethmac_netbuf_t)) {
        wl_detail(res, "query: mtu %u, MAC %02x:%02x:%02x:%02x:%02x:%02x, netbuf_size %llu", info.mtu, info.mac[0],
                  info.mac[1], info.mac[2], info.mac[3], info.mac[4], info.mac[5],
                  (unsigned long long)info.netbuf_size);
        res->failed_ops++;
        return;
    }

    loopback_t* lb = wl_calloc(1, sizeof *lb);
    const uint32_t depth = p->queue_depth ? p->queue_depth : 1;
    frame_t* slots = wl_calloc(depth, sizeof *slots);
    if (!lb || !slots) {
        wl_free(lb);
        wl_free(slots);
        wl_status(res, ZX_ERR_NO_MEMORY, "ethmac-loopback");
        return;
    }
    lb->res = res;
    memcpy(lb->mac, info.mac, ETH_MAC_SIZE);
    lb->slots = slots;
    lb->depth = depth;

    const ethmac_ifc_t ifc = {.ops = &kIfcOps, .ctx = lb};
    st = ethmac_start(mac, &ifc);
    if (st != ZX_OK) {
        wl_status(res, st, "start");
        wl_free(slots);
        wl_free(lb);
        return;
    }
    if (!lb->status_seen || !(lb->status & ETHMAC_STATUS_ONLINE)) {
        wl_detail(res, "start: the link is not reported online");
        res->failed_ops++;
    }

    set_promisc(mac, res, true);

    uint32_t lo = p->min_size > FRAME_MIN ? (uint32_t)(p->min_size < FRAME_MAX ? p->min_size : FRAME_MAX) : FRAME_MIN;
    uint32_t hi = p->max_size < FRAME_MAX ? (uint32_t)p->max_size : FRAME_MAX;
    if (hi < lo) hi = lo;
    wl_rng_t rng;
    wl_rng_seed(&rng, p->seed, "ethmac-loopback");

    bool lost = false;
    for (uint64_t i = 0; i < p->transfers; ++i) {
        if (!wait_for(lb, window_open)) {
            lost = true;
            break;
        }
        frame_t* f = &lb->slots[i % depth];
        make_frame(&rng, info.mac, i, lo, hi, f);
        ethmac_netbuf_t netbuf = {.data_buffer = f->data, .data_size = f->len};
        lb->sent = i + 1; /* before queue_tx: the frame may come back before it returns */
        /* One operation per frame for the latency breakdown: from queue_tx to the frame's
         * return through recv. */
        sl_trace_op_begin(i);
        st = ethmac_queue_tx(mac, 0, &netbuf);
        sl_trace_op_submitted(i);
        if (st != ZX_OK) {
            sl_trace_op_end(i);
            lb->sent = i;
            wl_status(res, st, "queue_tx of frame #%llu (%u bytes)", (unsigned long long)i, f->len);
            break;
        }
        res->operations++;
        res->bytes += f->len;
    }
    if (!lost) lost = !wait_for(lb, all_back);
    set_promisc(mac, res, false);
    ethmac_stop(mac);
    if (lost) {
        const uint64_t missing = lb->sent - lb->received;
        wl_detail(res, "frame #%llu never came back (%llu of %llu frames lost; nothing came back for %llu ms)",
                  (unsigned long long)lb->received, (unsigned long long)missing, (unsigned long long)lb->sent,
                  (unsigned long long)(NO_PROGRESS_TIMEOUT / ZX_MSEC(1)));
        res->failed_ops += missing;
    }
    if (lb->extra) res->failed_ops += lb->extra;
    wl_free(slots);
    wl_free(lb);
}

#include "wl_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

/* Each block is preceded by its header in a doubly linked list of live blocks. All simulated
 * threads share one host thread, so the list needs no lock. The header keeps the alignment
 * malloc gives. */
typedef struct wl_block {
    struct wl_block *prev, *next;
    size_t size;
    max_align_t align[];
} wl_block_t;

static wl_block_t* g_live;

static void* track(wl_block_t* b, size_t n) {
    if (!b) return NULL;
    b->size = n;
    b->prev = NULL;
    b->next = g_live;
    if (g_live) g_live->prev = b;
    g_live = b;
    return b->align;
}

static void untrack(wl_block_t* b) {
    if (b->prev) b->prev->next = b->next;
    else g_live = b->next;
    if (b->next) b->next->prev = b->prev;
}

static wl_block_t* block_of(void* p) { return (wl_block_t*)((char*)p - offsetof(wl_block_t, align)); }

void* wl_malloc(size_t n) {
    if (n > SIZE_MAX - sizeof(wl_block_t)) return NULL;
    return track(malloc(sizeof(wl_block_t) + n), n);
}

void* wl_calloc(size_t n, size_t size) {
    if (size && n > (SIZE_MAX - sizeof(wl_block_t)) / size) return NULL;
    return track(calloc(1, sizeof(wl_block_t) + n * size), n * size);
}

void* wl_realloc(void* p, size_t n) {
    if (!p) return wl_malloc(n);
    if (n > SIZE_MAX - sizeof(wl_block_t)) return NULL;
    wl_block_t* b = block_of(p);
    untrack(b);
    wl_block_t* nb = realloc(b, sizeof(wl_block_t) + n);
    if (!nb) {
        track(b, b->size);  /* realloc failed: the old block stays */
        return NULL;
    }
    return track(nb, n);
}

void wl_free(void* p) {
    if (!p) return;
    wl_block_t* b = block_of(p);
    untrack(b);
    free(b);
}

void sl_workload_free_abandoned(void) {
    while (g_live) {
        wl_block_t* b = g_live;
        g_live = b->next;
        free(b);
    }
}

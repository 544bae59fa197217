/* hw/arch_ops.h: hardware memory barriers, hw_mb() (full), hw_rmb() (loads), hw_wmb()
 * (stores). Use hw_wmb() between filling a DMA descriptor and ringing the doorbell.
 *
 * Barriers order CPU accesses; they do not clean or invalidate caches. On a non-coherent
 * platform a barrier is not a substitute for zx_vmo_op_range()/zx_cache_flush(). */
#ifndef HW_ARCH_OPS_H_
#define HW_ARCH_OPS_H_

#if defined(__x86_64__) || defined(__i386__)
#define hw_mb() __asm__ volatile("mfence" ::: "memory")
#define hw_rmb() __asm__ volatile("lfence" ::: "memory")
#define hw_wmb() __asm__ volatile("sfence" ::: "memory")
#elif defined(__aarch64__)
#define hw_mb() __asm__ volatile("dsb sy" ::: "memory")
#define hw_rmb() __asm__ volatile("dsb ld" ::: "memory")
#define hw_wmb() __asm__ volatile("dsb st" ::: "memory")
#else
#define hw_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define hw_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define hw_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#endif /* HW_ARCH_OPS_H_ */

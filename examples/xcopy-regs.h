/* xcopy: a copy engine with one operation at a time, for the examples. BAR0, 32-bit
 * registers. Write SRC, DST and LEN (1..4096, within one page at both ends), then GO; STATUS
 * says DONE (or ERROR when a DMA failed). PCI 1b36:5e00. */
#ifndef XCOPY_REGS_H_
#define XCOPY_REGS_H_

#define XCOPY_VENDOR_ID 0x1b36u
#define XCOPY_DEVICE_ID 0x5e00u

#define XCOPY_REG_SRC_LO 0x00u
#define XCOPY_REG_SRC_HI 0x04u
#define XCOPY_REG_DST_LO 0x08u
#define XCOPY_REG_DST_HI 0x0cu
#define XCOPY_REG_LEN 0x10u
#define XCOPY_REG_GO 0x14u     /* write 1: start; clears STATUS */
#define XCOPY_REG_STATUS 0x18u /* XCOPY_STATUS_* */

#define XCOPY_STATUS_DONE (1u << 0)
#define XCOPY_STATUS_ERROR (1u << 1)

#define XCOPY_MAX_LEN 4096u

#endif

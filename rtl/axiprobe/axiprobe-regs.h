/* axiprobe: register map (BAR0, 4 KiB, 32-bit registers, little-endian). The one C
 * definition; axiprobe.v repeats the offsets as localparams. Behaviour: README.md.
 *
 * Software writes ADDR, LEN, OP, SEED and MAX_OUT (ignored while STATUS.BUSY), then GO;
 * STATUS.DONE (and `irq`) rises when the operation has ended, STATUS.ERROR with it if it
 * failed (ERR_CODE says why). Writing AXIPROBE_STATUS_DONE to STATUS clears DONE and ERROR. */
#ifndef AXIPROBE_REGS_H_
#define AXIPROBE_REGS_H_

/* PCI identity: axiprobe32/64/128/256 are DEVICE_ID + 0/1/2/3. */
#define AXIPROBE_VENDOR_ID 0x1b36u
#define AXIPROBE_DEVICE_ID 0x5d20u

#define AXIPROBE_REG_ID 0x000u       /* RO: AXIPROBE_ID_VALUE */
#define AXIPROBE_REG_INFO 0x004u     /* RO: bits 15:0 DATA_W (bits), 23:16 ID_W */
#define AXIPROBE_REG_ADDR_LO 0x008u  /* RW: device address of the first byte */
#define AXIPROBE_REG_ADDR_HI 0x00cu
#define AXIPROBE_REG_LEN 0x010u      /* RW: bytes, 1..4096 */
#define AXIPROBE_REG_OP 0x014u       /* RW: AXIPROBE_OP_* */
#define AXIPROBE_REG_SEED 0x018u     /* RW: WRITE pattern: byte i = (SEED + i) & 0xff */
#define AXIPROBE_REG_MAX_OUT 0x01cu  /* RW: bursts in flight at most, 1..4 (reset 1) */
#define AXIPROBE_REG_GO 0x020u       /* WO: bit 0 starts the operation (ignored while busy) */
#define AXIPROBE_REG_STATUS 0x024u   /* AXIPROBE_STATUS_*; DONE is write-1-to-clear */
#define AXIPROBE_REG_RESULT 0x028u   /* RO: READ checksum */
#define AXIPROBE_REG_BURSTS 0x02cu   /* RO: bursts issued by the last operation */
#define AXIPROBE_REG_ERR_CODE 0x030u /* RO: AXIPROBE_ERR_* of the first error */
#define AXIPROBE_REG_MAX_SEEN 0x034u /* RO: most bursts accepted and not completed at once */
#define AXIPROBE_REG_BEATS 0x038u    /* RO: R beats taken or W beats sent */

#define AXIPROBE_ID_VALUE 0x41585052u /* "AXPR" */

/* OP: READ checksums [ADDR, ADDR+LEN): sum of byte[i] * (i + 1), mod 2^32. WRITE stores
 * (SEED + i) & 0xff at ADDR + i for every i < LEN and nothing else. */
#define AXIPROBE_OP_READ 1u
#define AXIPROBE_OP_WRITE 2u

#define AXIPROBE_STATUS_BUSY (1u << 0)
#define AXIPROBE_STATUS_DONE (1u << 1)  /* the `irq` level */
#define AXIPROBE_STATUS_ERROR (1u << 2)

#define AXIPROBE_ERR_NONE 0u
#define AXIPROBE_ERR_ARGS 1u  /* at GO: LEN not 1..4096, OP unknown, MAX_OUT not 1..4; nothing issued */
#define AXIPROBE_ERR_RESP 2u  /* RRESP or BRESP not OKAY */
#define AXIPROBE_ERR_ID 3u    /* RID/BID not the oldest burst's ID, or R/B with nothing in flight */
#define AXIPROBE_ERR_LAST 4u  /* RLAST not on the burst's last beat */

#endif

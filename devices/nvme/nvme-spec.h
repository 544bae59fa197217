/* nvme-spec.h: the part of the NVM Express 1.3 base specification the nvme model and the
 * nvme-blk driver share: controller registers (section 3.1), queue entries (4.2, 4.6), the
 * admin and NVM commands they implement, status codes (4.6.1.2) and the byte offsets of the
 * Identify data they use (5.15). Names follow the specification's mnemonics. */
#ifndef STALELINE_NVME_SPEC_H
#define STALELINE_NVME_SPEC_H

#include <stdint.h>

/* ---- PCI identity of the model (a generic NVMe controller: Intel's DC P3700 / 750 ids) ---- */
#define NVME_MODEL_VENDOR_ID 0x8086u
#define NVME_MODEL_DEVICE_ID 0x0953u
#define NVME_CLASS_CODE 0x010802u /* mass storage, non-volatile memory, NVM Express */
#define NVME_BAR0_SIZE 0x4000u    /* registers (4 KiB) and doorbells */

/* ---- controller registers (BAR0) ---- */
#define NVME_REG_CAP 0x00   /* 64-bit: capabilities */
#define NVME_REG_VS 0x08    /* version */
#define NVME_REG_INTMS 0x0c /* interrupt mask set (INTx only) */
#define NVME_REG_INTMC 0x10 /* interrupt mask clear */
#define NVME_REG_CC 0x14    /* controller configuration */
#define NVME_REG_CSTS 0x1c  /* controller status */
#define NVME_REG_NSSR 0x20  /* NVM subsystem reset */
#define NVME_REG_AQA 0x24   /* admin queue attributes */
#define NVME_REG_ASQ 0x28   /* 64-bit: admin submission queue base */
#define NVME_REG_ACQ 0x30   /* 64-bit: admin completion queue base */
#define NVME_REG_DBS 0x1000 /* doorbells: SQ y tail at 0x1000 + (2y) * stride, CQ y head + stride */
#define NVME_DB_SQ_TAIL(y, stride) (NVME_REG_DBS + (2u * (y)) * (stride))
#define NVME_DB_CQ_HEAD(y, stride) (NVME_REG_DBS + (2u * (y) + 1u) * (stride))

#define NVME_CAP_MQES(c) ((uint32_t)((c) & 0xffffu)) /* max queue entries, 0-based */
#define NVME_CAP_CQR (1ull << 16)                    /* contiguous queues required */
#define NVME_CAP_TO(c) ((uint32_t)(((c) >> 24) & 0xffu)) /* ready timeout, 500 ms units */
#define NVME_CAP_DSTRD(c) ((uint32_t)(((c) >> 32) & 0xfu)) /* doorbell stride 2^(2+DSTRD) */
#define NVME_CAP_CSS_NVM (1ull << 37)
#define NVME_CAP_MPSMIN(c) ((uint32_t)(((c) >> 48) & 0xfu)) /* 2^(12+MPSMIN) */
#define NVME_CAP_MPSMAX(c) ((uint32_t)(((c) >> 52) & 0xfu))

#define NVME_CC_EN (1u << 0)
#define NVME_CC_CSS(v) (((v) >> 4) & 7u)
#define NVME_CC_MPS(v) (((v) >> 7) & 0xfu)
#define NVME_CC_SHN(v) (((v) >> 14) & 3u)
#define NVME_CC_IOSQES(v) (((v) >> 16) & 0xfu)
#define NVME_CC_IOCQES(v) (((v) >> 20) & 0xfu)

#define NVME_CSTS_RDY (1u << 0)
#define NVME_CSTS_CFS (1u << 1)           /* controller fatal status */
#define NVME_CSTS_SHST_COMPLETE (2u << 2) /* shutdown processing complete */

#define NVME_AQA_ASQS(v) ((v) & 0xfffu)         /* 0-based */
#define NVME_AQA_ACQS(v) (((v) >> 16) & 0xfffu) /* 0-based */

/* ---- queue entries ---- */
#define NVME_SQE_SIZE 64u
#define NVME_CQE_SIZE 16u

/* A submission queue entry (command), little-endian. */
typedef struct nvme_sqe {
    uint8_t opc;   /* opcode */
    uint8_t flags; /* FUSE 1:0, PSDT 7:6 (0: PRPs) */
    uint16_t cid;  /* command identifier */
    uint32_t nsid;
    uint64_t rsvd;
    uint64_t mptr;
    uint64_t prp1;
    uint64_t prp2;
    uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
} nvme_sqe_t;

/* A completion queue entry. */
typedef struct nvme_cqe {
    uint32_t dw0; /* command specific */
    uint32_t dw1;
    uint16_t sqhd; /* submission queue head */
    uint16_t sqid;
    uint16_t cid;
    uint16_t status; /* P (phase) bit 0, SC 8:1, SCT 11:9, M 14, DNR 15 */
} nvme_cqe_t;

#define NVME_CQE_PHASE 1u
#define NVME_STATUS(sct, sc) ((uint16_t)(((sct) << 8) | (sc))) /* the status field without P */
#define NVME_CQE_STATUS(status) ((uint16_t)(((status) >> 1) & 0x7ffu))
#define NVME_CQE_DNR (1u << 15)

/* ---- opcodes ---- */
#define NVME_ADMIN_DELETE_IOSQ 0x00u
#define NVME_ADMIN_CREATE_IOSQ 0x01u
#define NVME_ADMIN_DELETE_IOCQ 0x04u
#define NVME_ADMIN_CREATE_IOCQ 0x05u
#define NVME_ADMIN_IDENTIFY 0x06u
#define NVME_ADMIN_SET_FEATURES 0x09u
#define NVME_ADMIN_GET_FEATURES 0x0au
#define NVME_NVM_FLUSH 0x00u
#define NVME_NVM_WRITE 0x01u
#define NVME_NVM_READ 0x02u

#define NVME_IDENTIFY_NS 0x00u       /* CNS: the namespace NSID */
#define NVME_IDENTIFY_CTRL 0x01u     /* CNS: the controller */
#define NVME_IDENTIFY_NS_LIST 0x02u  /* CNS: active namespace ids */
#define NVME_FEAT_NUM_QUEUES 0x07u

/* ---- status codes: generic (SCT 0) ---- */
#define NVME_SC_SUCCESS 0x00u
#define NVME_SC_INVALID_OPCODE 0x01u
#define NVME_SC_INVALID_FIELD 0x02u
#define NVME_SC_DATA_TRANSFER_ERROR 0x04u
#define NVME_SC_INVALID_NAMESPACE 0x0bu
#define NVME_SC_PRP_OFFSET_INVALID 0x13u
#define NVME_SC_LBA_OUT_OF_RANGE 0x80u
/* command specific (SCT 1) */
#define NVME_SCT_COMMAND_SPECIFIC 1u
#define NVME_SC_CQ_INVALID 0x00u
#define NVME_SC_INVALID_QID 0x01u
#define NVME_SC_INVALID_QSIZE 0x02u
#define NVME_SC_INVALID_VECTOR 0x08u
#define NVME_SC_INVALID_QUEUE_DELETION 0x0cu

/* ---- Identify data: byte offsets ---- */
#define NVME_ID_DATA_SIZE 4096u
#define NVME_IDCTRL_VID 0    /* 2 */
#define NVME_IDCTRL_SSVID 2  /* 2 */
#define NVME_IDCTRL_SN 4     /* 20, ASCII, space padded */
#define NVME_IDCTRL_MN 24    /* 40 */
#define NVME_IDCTRL_FR 64    /* 8 */
#define NVME_IDCTRL_MDTS 77  /* 1: 2^MDTS minimum pages per transfer at most (0: no limit) */
#define NVME_IDCTRL_CNTLID 78
#define NVME_IDCTRL_VER 80   /* 4 */
#define NVME_IDCTRL_SQES 512 /* 1: required 3:0, maximum 7:4, log2 bytes */
#define NVME_IDCTRL_CQES 513
#define NVME_IDCTRL_MAXCMD 514 /* 2 */
#define NVME_IDCTRL_NN 516     /* 4: namespaces */
#define NVME_IDNS_NSZE 0       /* 8: blocks */
#define NVME_IDNS_NCAP 8
#define NVME_IDNS_NUSE 16
#define NVME_IDNS_NLBAF 25 /* 0-based count of LBA formats */
#define NVME_IDNS_FLBAS 26 /* format in use, 3:0 */
#define NVME_IDNS_LBAF0 128 /* 4 each: MS 15:0, LBADS 23:16 (log2 block size), RP 25:24 */

#endif

/* rtl8168-regs.h: the subset of the Realtek RTL8168/8111 register map that the rtl8168 model
 * implements, with the register names of the public datasheet and Linux's r8169 driver.
 * Offsets are in the memory BAR (BAR 2); BAR 0 is the I/O BAR of the same registers, which the
 * platform declares but does not decode. Shared by the model and the test driver. */
#ifndef STALELINE_RTL8168_REGS_H
#define STALELINE_RTL8168_REGS_H

#define RTL8168_VENDOR_ID 0x10ec
#define RTL8168_DEVICE_ID 0x8168
#define RTL8168_MMIO_BAR 2u
#define RTL8168_MMIO_SIZE 4096u
#define RTL8168_IO_BAR 0u
#define RTL8168_IO_SIZE 256u
#define RTL8168_REGS 256u /* registers live in the first 256 bytes of the BAR */

/* Registers (byte offsets). */
#define RTL8168_IDR0 0x00      /* MAC address, bytes 0..5 (IDR0..IDR5) */
#define RTL8168_MAR0 0x08      /* multicast filter, 8 bytes (accepted, not applied) */
#define RTL8168_TNPDS 0x20     /* TX normal-priority descriptor ring, 64-bit, 256-byte aligned */
#define RTL8168_THPDS 0x28     /* TX high-priority ring (accepted, never polled) */
#define RTL8168_CR 0x37        /* command, 8 bit */
#define RTL8168_TPPOLL 0x38    /* TX priority polling, 8 bit */
#define RTL8168_IMR 0x3c       /* interrupt mask, 16 bit */
#define RTL8168_ISR 0x3e       /* interrupt status, 16 bit, write 1 to clear */
#define RTL8168_TCR 0x40       /* TX configuration, 32 bit; bits 30:26 and 23:20 the MAC version */
#define RTL8168_RCR 0x44       /* RX configuration, 32 bit */
#define RTL8168_9346CR 0x50    /* EEPROM command: unlocks the config registers (accepted) */
#define RTL8168_CONFIG0 0x51   /* CONFIG0..CONFIG5: 0x51..0x56 (accepted) */
#define RTL8168_CONFIG5 0x56
#define RTL8168_PHYAR 0x60     /* PHY access (accepted) */
#define RTL8168_PHYSTATUS 0x6c /* PHY status, 8 bit, read only */
#define RTL8168_RMS 0xda       /* RX max size, 16 bit: longer frames are dropped */
#define RTL8168_CPLUSCR 0xe0   /* C+ command, 16 bit (accepted) */
#define RTL8168_INTRMIT 0xe2   /* interrupt mitigation, 16 bit (accepted) */
#define RTL8168_RDSAR 0xe4     /* RX descriptor ring, 64-bit, 256-byte aligned */
#define RTL8168_MTPS 0xec      /* max TX packet size, 8 bit (accepted) */

/* CR */
#define RTL8168_CR_RST 0x10 /* reset; reads 1 until the reset is done */
#define RTL8168_CR_RE 0x08  /* receiver enable */
#define RTL8168_CR_TE 0x04  /* transmitter enable */

/* TPPOLL */
#define RTL8168_TPPOLL_HPQ 0x80 /* high-priority queue (not modelled) */
#define RTL8168_TPPOLL_NPQ 0x40 /* normal-priority queue: walk the TX ring; reads 1 until done */

/* IMR / ISR */
#define RTL8168_INT_ROK 0x0001    /* a frame was received */
#define RTL8168_INT_RER 0x0002    /* RX error */
#define RTL8168_INT_TOK 0x0004    /* a frame was sent */
#define RTL8168_INT_TER 0x0008    /* TX error */
#define RTL8168_INT_RDU 0x0010    /* RX descriptor unavailable (frame dropped) */
#define RTL8168_INT_LINKCHG 0x0020
#define RTL8168_INT_TDU 0x0080    /* TX descriptor unavailable */
#define RTL8168_INT_SYSERR 0x8000 /* a DMA failed (e.g. an IOMMU fault) */

/* TCR */
#define RTL8168_TCR_VERSION_MASK 0x7cf00000u
#define RTL8168_TCR_VERSION_8111H 0x54100000u /* the default: RTL8111H */

/* RCR accept bits */
#define RTL8168_RCR_AAP 0x01 /* all (promiscuous) */
#define RTL8168_RCR_APM 0x02 /* to our MAC address */
#define RTL8168_RCR_AM 0x04  /* multicast */
#define RTL8168_RCR_AB 0x08  /* broadcast */

/* PHYSTATUS */
#define RTL8168_PHY_FULLDUP 0x01
#define RTL8168_PHY_LINK 0x02
#define RTL8168_PHY_1000MF 0x10

/* Descriptors: 16 bytes, little endian: opts1, opts2, 64-bit buffer address. */
#define RTL8168_DESC_SIZE 16u
#define RTL8168_DESC_OWN 0x80000000u /* the device owns it */
#define RTL8168_DESC_EOR 0x40000000u /* last descriptor of the ring */
#define RTL8168_DESC_FS 0x20000000u  /* first segment of a frame */
#define RTL8168_DESC_LS 0x10000000u  /* last segment */
#define RTL8168_TX_LEN_MASK 0xffffu
#define RTL8168_RX_LEN_MASK 0x3fffu  /* RX: buffer size given, frame length + 4 (FCS) returned */
#define RTL8168_FCS_LEN 4u

#endif

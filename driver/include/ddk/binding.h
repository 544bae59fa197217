/* ddk/binding.h: device properties, bind programs and the driver declaration macros.
 *
 * A driver declares itself with
 *   ZIRCON_DRIVER_BEGIN(my_driver, my_driver_ops, "vendor", "0.1", 3)
 *     BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
 *     BI_ABORT_IF(NE, BIND_PCI_VID, 0x1234),
 *     BI_MATCH_IF(EQ, BIND_PCI_DID, 0x5678),
 *   ZIRCON_DRIVER_END(my_driver)
 * which defines __zircon_driver_rec__ (the ops) and __zircon_driver_note__ (name, vendor,
 * version, bind program). Fuchsia puts the note in an ELF note section of the driver's shared
 * library; Staleline's driver modules export it as an ordinary object, which the loader finds
 * with dlsym (one driver per module). */
#ifndef DDK_BINDING_H_
#define DDK_BINDING_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

/* Instruction word: COAABBBB, then a 32-bit value (Condition, Opcode, paramA, paramB). */
#define OP_ABORT 0x0 /* if (cond) return no-match */
#define OP_MATCH 0x1 /* if (cond) return match */
#define OP_GOTO 0x2  /* if (cond) advance to next LABEL(paramA) */
#define OP_SET 0x3   /* if (cond) flags |= paramA */
#define OP_CLEAR 0x4 /* if (cond) flags &= ~paramA */
#define OP_LABEL 0x5 /* no-op, labels line with paramA */

#define COND_AL 0x0   /* true */
#define COND_EQ 0x1   /* bind(paramB) == value */
#define COND_NE 0x2   /* bind(paramB) != value */
#define COND_GT 0x3   /* bind(paramB) > value */
#define COND_LT 0x4   /* bind(paramB) < value */
#define COND_GE 0x5   /* bind(paramB) >= value */
#define COND_LE 0x6   /* bind(paramB) <= value */
#define COND_MASK 0x7 /* (bind(paramB) & value) != 0 */
#define COND_BITS 0x8 /* (bind(paramB) & value) == value */

#define BINDINST(c, o, a, b, v) \
  { (((c)&0xF) << 28) | (((o)&0xF) << 24) | (((a)&0xFF) << 16) | ((b)&0xFFFF), (v) }

#define BINDINST_CC(n) ((n) >> 28)
#define BINDINST_OP(n) (((n) >> 24) & 0xF)
#define BINDINST_PA(n) (((n) >> 16) & 0xFF)
#define BINDINST_PB(n) ((n)&0xFFFF)

#define BI_ABORT() BINDINST(COND_AL, OP_ABORT, 0, 0, 0)
#define BI_MATCH() BINDINST(COND_AL, OP_MATCH, 0, 0, 0)
#define BI_GOTO(n) BINDINST(COND_AL, OP_GOTO, n, 0, 0)
#define BI_SET(f) BINDINST(COND_AL, OP_SET, f, 0, 0)
#define BI_CLEAR(f) BINDINST(COND_AL, OP_CLEAR, f, 0, 0)
#define BI_LABEL(n) BINDINST(COND_AL, OP_LABEL, n, 0, 0)
#define BI_ABORT_IF(c, b, v) BINDINST(COND_##c, OP_ABORT, 0, b, v)
#define BI_MATCH_IF(c, b, v) BINDINST(COND_##c, OP_MATCH, 0, b, v)
#define BI_GOTO_IF(c, b, v, n) BINDINST(COND_##c, OP_GOTO, n, b, v)
#define BI_SET_IF(c, b, v, f) BINDINST(COND_##c, OP_SET, f, b, v)
#define BI_CLEAR_IF(c, b, v, f) BINDINST(COND_##c, OP_CLEAR, f, b, v)
#define BI_ABORT_IF_AUTOBIND BI_ABORT_IF(NE, BIND_AUTOBIND, 0)

/* Bind variables. */
#define BIND_FLAGS 0x0000
#define BIND_PROTOCOL 0x0001
#define BIND_AUTOBIND 0x0002
#define BIND_PCI_VID 0x0100
#define BIND_PCI_DID 0x0101
#define BIND_PCI_CLASS 0x0102
#define BIND_PCI_SUBCLASS 0x0103
#define BIND_PCI_INTERFACE 0x0104
#define BIND_PCI_REVISION 0x0105
#define BIND_PCI_BDF_ADDR 0x0106
#define BIND_PCI_BDF_PACK(bus, dev, func) \
  ((((uint32_t)(bus)&0xFF) << 8) | (((uint32_t)(dev)&0x1F) << 3) | ((uint32_t)(func)&0x07))
#define BIND_PCI_BDF_UNPACK_BUS(bdf) (((uint32_t)(bdf) >> 8) & 0xFF)
#define BIND_PCI_BDF_UNPACK_DEV(bdf) (((uint32_t)(bdf) >> 3) & 0x1F)
#define BIND_PCI_BDF_UNPACK_FUNC(bdf) ((uint32_t)(bdf)&0x07)

typedef struct zx_bind_inst {
  uint32_t op;
  uint32_t arg;
} zx_bind_inst_t;

typedef struct zx_device_prop {
  uint16_t id;
  uint16_t reserved;
  uint32_t value;
} zx_device_prop_t;

/* Driver metadata that precedes the bind program in __zircon_driver_note__. */
typedef struct {
  uint32_t flags;
  uint32_t bindcount;
  uint32_t reserved0;
  char name[32];
  char vendor[16];
  char version[16];
} zircon_driver_note_payload_t;

#define ZIRCON_DRIVER_BEGIN(Driver, Ops, VendorName, Version, BindCount)              \
  zx_driver_rec_t __zircon_driver_rec__ __EXPORT = {&(Ops), NULL, 0x7 /* E|W|I */};    \
  extern const struct zircon_driver_note __zircon_driver_note__ __EXPORT;             \
  const struct zircon_driver_note {                                                   \
    zircon_driver_note_payload_t payload;                                             \
    zx_bind_inst_t binding[BindCount];                                                \
  } __zircon_driver_note__ = {{0, (BindCount), 0, #Driver, VendorName, Version}, {

#define ZIRCON_DRIVER_END(Driver) }};

__END_CDECLS

#endif /* DDK_BINDING_H_ */

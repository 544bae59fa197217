// MovDecoder: decodes the x86-64 instruction a driver built without access instrumentation
// executed when it dereferenced a BAR pointer (the access faults on the BAR's PROT_NONE
// reservation; FaultHandler emulates it as MMIO). Compilers turn volatile loads and stores
// into plain moves, so the moves are what is decoded:
//   88/89        mov r/m, reg          (store 1, 2, 4, 8 bytes)
//   8A/8B        mov reg, r/m          (load)
//   C6/C7 /0     mov r/m, imm          (store of an immediate; imm32 sign-extended with REX.W)
//   0F B6/B7     movzx reg, r/m8/16    (load, zero-extended)
//   0F BE/BF     movsx reg, r/m8/16    (load, sign-extended)
//   63           movsxd reg, r/m32     (load, sign-extended with REX.W)
// with the 66 operand-size prefix, segment prefixes, and REX. Anything else (string moves,
// read-modify-write instructions, SSE moves, locked operations) is reported as unsupported.
#pragma once

#include <cstddef>
#include <cstdint>

namespace staleline::zx {

struct MovInsn {
    unsigned length = 0;      // bytes of the instruction
    unsigned size = 0;        // bytes accessed in memory: 1, 2, 4 or 8
    bool is_store = false;
    bool has_imm = false;     // store of imm (sign-extended to size)
    uint64_t imm = 0;
    unsigned reg = 0;         // register operand: 0..15 (RAX..R15)
    bool high_byte = false;   // 8-bit register operand AH/CH/DH/BH (no REX, reg 4..7)
    unsigned dest_size = 0;   // load: bytes written to reg (2 keeps bits 16..63, 4 zero-extends)
    bool sign_extend = false; // load: sign- rather than zero-extended to dest_size
};

// Decodes the instruction at code (at most max_len bytes readable). false when it is not one
// of the moves above with a memory operand.
bool decode_mov(const uint8_t* code, size_t max_len, MovInsn* out);

}  // namespace staleline::zx

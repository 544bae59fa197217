#include "MovDecoder.h"

namespace staleline::zx {

namespace {

bool is_segment_prefix(uint8_t b) { return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65; }

// Length of the ModRM byte and what follows it (SIB, displacement); false for a register
// operand (mod 3), which cannot be the faulting memory access.
bool modrm_length(const uint8_t* p, size_t avail, unsigned* len) {
    if (avail < 1) return false;
    const uint8_t modrm = p[0];
    const unsigned mod = modrm >> 6, rm = modrm & 7;
    if (mod == 3) return false;
    unsigned n = 1;
    if (rm == 4) {  // SIB
        if (avail < 2) return false;
        const unsigned base = p[1] & 7;
        n += 1;
        if (mod == 0 && base == 5) n += 4;  // disp32, no base
    } else if (mod == 0 && rm == 5) {
        n += 4;  // RIP-relative disp32
    }
    if (mod == 1) n += 1;
    if (mod == 2) n += 4;
    if (n > avail) return false;
    *len = n;
    return true;
}

uint64_t read_imm(const uint8_t* p, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

}  // namespace

bool decode_mov(const uint8_t* code, size_t max_len, MovInsn* out) {
    size_t i = 0;
    bool opsize = false;
    // Legacy prefixes: operand size and segment overrides only (no lock, rep or address size).
    while (i < max_len && i < 4 && (code[i] == 0x66 || is_segment_prefix(code[i]))) {
        if (code[i] == 0x66) opsize = true;
        ++i;
    }
    if (i >= max_len) return false;
    unsigned rex = 0;
    if ((code[i] & 0xf0) == 0x40) {
        rex = code[i];
        ++i;
    }
    if (i >= max_len) return false;
    const bool rex_w = rex & 8, rex_r = rex & 4;
    const unsigned op_size = rex_w ? 8 : opsize ? 2 : 4;
    MovInsn m;
    unsigned op = code[i++];
    bool two_byte = false;
    if (op == 0x0f) {
        if (i >= max_len) return false;
        op = code[i++];
        two_byte = true;
    }
    if (i >= max_len) return false;
    const unsigned modrm_reg = ((code[i] >> 3) & 7) | (rex_r ? 8 : 0);
    unsigned mlen = 0;
    if (!modrm_length(code + i, max_len - i, &mlen)) return false;
    m.reg = modrm_reg;
    if (!two_byte) {
        switch (op) {
            case 0x88: m.is_store = true; m.size = 1; break;
            case 0x89: m.is_store = true; m.size = op_size; break;
            case 0x8a: m.size = 1; m.dest_size = 1; break;
            case 0x8b: m.size = op_size; m.dest_size = op_size; break;
            case 0x63:  // movsxd: with REX.W sign-extends 32 -> 64, else a 32-bit move
                m.size = opsize && !rex_w ? 2 : 4;
                m.dest_size = op_size;
                m.sign_extend = rex_w;
                break;
            case 0xc6:
            case 0xc7: {
                if (modrm_reg & 7) return false;  // /0 only
                m.is_store = true;
                m.has_imm = true;
                m.size = op == 0xc6 ? 1 : op_size;
                const unsigned imm_bytes = op == 0xc6 ? 1 : (op_size == 2 ? 2 : 4);
                if (i + mlen + imm_bytes > max_len) return false;
                uint64_t v = read_imm(code + i + mlen, imm_bytes);
                if (imm_bytes == 4 && m.size == 8 && (v & 0x80000000u)) v |= 0xffffffff00000000ull;
                m.imm = v;
                m.length = (unsigned)(i + mlen + imm_bytes);
                *out = m;
                return true;
            }
            default: return false;
        }
    } else {
        switch (op) {
            case 0xb6: m.size = 1; break;
            case 0xb7: m.size = 2; break;
            case 0xbe: m.size = 1; m.sign_extend = true; break;
            case 0xbf: m.size = 2; m.sign_extend = true; break;
            default: return false;
        }
        m.dest_size = op_size;
    }
    // A byte register without REX: 4..7 are AH, CH, DH, BH.
    if (m.size == 1 && !rex && !two_byte && (op == 0x88 || op == 0x8a) && m.reg >= 4 && m.reg < 8) {
        m.high_byte = true;
        m.reg -= 4;
    }
    m.length = (unsigned)(i + mlen);
    *out = m;
    return true;
}

}  // namespace staleline::zx

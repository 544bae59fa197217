#include "bridge/WaveWriter.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "gtkwave/fstapi.h"

// bridge/FstApi.c: fstapi's value-change buffer size.
extern "C" void sl_fst_writer_set_block_bytes(void* ctx, size_t bytes);

namespace {
constexpr size_t kFstBlockBytes = 2u << 20;
}

namespace staleline {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = (char)std::tolower((unsigned char)c);
    return s;
}

fstScopeType scope_type(const std::string& t) {
    if (t == "begin") return FST_ST_VCD_BEGIN;
    if (t == "task") return FST_ST_VCD_TASK;
    if (t == "function") return FST_ST_VCD_FUNCTION;
    if (t == "fork") return FST_ST_VCD_FORK;
    return FST_ST_VCD_MODULE;
}

fstVarType var_type(const std::string& t) {
    if (t == "reg") return FST_VT_VCD_REG;
    if (t == "integer") return FST_VT_VCD_INTEGER;
    if (t == "parameter") return FST_VT_VCD_PARAMETER;
    if (t == "real") return FST_VT_VCD_REAL;
    if (t == "event") return FST_VT_VCD_EVENT;
    return FST_VT_VCD_WIRE;
}

}  // namespace

WaveWriter::Format WaveWriter::format_of(const std::string& path) {
    return path.size() >= 4 && lower(path.substr(path.size() - 4)) == ".fst" ? Format::Fst : Format::Vcd;
}

WaveWriter::WaveWriter(const std::string& path) : path_(path), format_(format_of(path)) {
    const char* what = format_ == Format::Fst ? "FST" : "VCD";
    // Say which file and why, and refuse a file that cannot take a byte (/dev/full), before
    // the run rather than after it.
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f)
        throw std::runtime_error(std::string("cannot open ") + what + " file '" + path + "' for writing: " +
                                 std::strerror(errno));
    bool written = std::fputc('\n', f) != EOF && std::fflush(f) == 0;
    int err = errno;
    std::fclose(f);
    if (!written) throw std::runtime_error(std::string("cannot write ") + what + " file '" + path + "': " + std::strerror(err));
    if (format_ == Format::Vcd) {
        vcd_ = std::fopen(path.c_str(), "w");
        if (!vcd_) throw std::runtime_error("cannot open VCD file '" + path + "' for writing: " + std::strerror(errno));
        return;
    }
    fst_ = fstWriterCreate(path.c_str(), 1);
    if (!fst_) throw std::runtime_error("cannot open FST file '" + path + "' for writing");
    // 2 MiB blocks instead of fstapi's 128 MiB and more: the flush of a block walks every
    // signal's chain of changes through it, which stays in the cache at this size. For the
    // default run that halves the writer's CPU time and its memory (184 -> 45 MB) for a file
    // 12% larger (more blocks, each with its own header and checkpoint): docs/waveforms.md.
    sl_fst_writer_set_block_bytes(fst_, kFstBlockBytes);
    fstWriterSetPackType(fst_, FST_WR_PT_LZ4);
    fstWriterSetFileType(fst_, FST_FT_VERILOG);
    // fstapi stamps the wall-clock date by default: a fixed text keeps the bytes the same for
    // the same run.
    fstWriterSetDate(fst_, "staleline");
    fstWriterSetVersion(fst_, "staleline (Verilator VCD tracer, converted)");
}

WaveWriter::~WaveWriter() {
    try {
        close();
    } catch (const std::exception&) {
        // reported by an explicit close(); a destructor has no one to tell
    }
}

void WaveWriter::write(const char* data, size_t len) {
    if (!error_.empty()) return;
    if (format_ == Format::Vcd) {
        if (std::fwrite(data, 1, len, vcd_) != len) error_ = std::strerror(errno);
        if (!in_header_) return;
    }
    // Whole lines to line(); a partial one waits for the rest.
    size_t start = 0;
    for (const char* nl; start < len && (nl = (const char*)std::memchr(data + start, '\n', len - start));) {
        const size_t i = (size_t)(nl - data);
        if (!pending_.empty()) {
            pending_.append(data + start, i - start);
            line(pending_.data(), pending_.size());
            pending_.clear();
        } else {
            line(data + start, i - start);
        }
        start = i + 1;
        if (format_ == Format::Vcd && !in_header_) return;
    }
    pending_.append(data + start, len - start);
}

void WaveWriter::close() {
    if (!pending_.empty() && (format_ == Format::Fst || in_header_)) line(pending_.data(), pending_.size());
    pending_.clear();
    if (vcd_) {
        if (std::fclose(vcd_) != 0 && error_.empty()) error_ = std::strerror(errno);
        vcd_ = nullptr;
    }
    if (fst_) {
        fstWriterClose(fst_);
        fst_ = nullptr;
    }
    if (!error_.empty()) {
        std::string e = "cannot write " + std::string(format_ == Format::Fst ? "FST" : "VCD") + " file '" + path_ + "': " + error_;
        error_ = "reported";  // once
        throw std::runtime_error(e);
    }
}

void WaveWriter::line(const char* s, size_t n) {
    if (in_header_) header_line(s, n);
    else if (fst_) value_line(s, n);
}

// Verilator's codes are its signal numbers written in bijective base 94, least significant
// digit first, digits '!'..'~' (verilated_vcd_c.cpp, writeCode): decoded back to the number,
// -1 for anything else.
int64_t WaveWriter::code_number(const char* s, size_t n) {
    if (n == 0 || n > 5) return -1;
    uint64_t q = 0;
    for (size_t i = n; i-- > 1;) {
        const unsigned d = (unsigned char)s[i] - 33u;
        if (d >= 94) return -1;
        q = d + 94 * q + 1;
    }
    const unsigned d0 = (unsigned char)s[0] - 33u;
    if (d0 >= 94) return -1;
    const uint64_t code = d0 + 94 * q;
    return code < kMaxDirectCodes ? (int64_t)code : -1;
}

const WaveWriter::Var* WaveWriter::find_var(const char* s, size_t n) const {
    const int64_t code = code_number(s, n);
    if (code >= 0) {
        if ((size_t)code >= by_code_.size() || !by_code_[(size_t)code].handle) return nullptr;
        return &by_code_[(size_t)code];
    }
    auto it = vars_.find(code_key(s, n));
    return it == vars_.end() ? nullptr : &it->second;
}

// Other codes (not Verilator's form): packed into one integer key.
uint64_t WaveWriter::code_key(const char* s, size_t n) {
    uint64_t k = 0;
    for (size_t i = 0; i < n && i < 8; ++i) k = (k << 8) | (unsigned char)s[i];
    return k | ((uint64_t)n << 60);
}

void WaveWriter::header_line(const char* s, size_t n) {
    header_.append(s, n);
    header_ += '\n';
    if (header_.find("$enddefinitions") == std::string::npos) return;
    in_header_ = false;
    // The declarations, token by token (a declaration may span lines).
    std::istringstream in(header_);
    std::vector<std::string> t;
    std::string tok;
    while (in >> tok) {
        t.push_back(tok);
        if (tok != "$end") continue;
        const std::string& kw = t.front();
        if (kw == "$timescale" && t.size() >= 3) {
            std::string ts;
            for (size_t i = 1; i + 1 < t.size(); ++i) ts += t[i];
            if (fst_) fstWriterSetTimescaleFromString(fst_, ts.c_str());
        } else if (kw == "$scope" && t.size() >= 4) {
            scope_.push_back(t[2]);
            if (fst_) fstWriterSetScope(fst_, scope_type(t[1]), t[2].c_str(), nullptr);
        } else if (kw == "$upscope") {
            if (!scope_.empty()) scope_.pop_back();
            if (fst_) fstWriterSetUpscope(fst_);
        } else if (kw == "$var" && t.size() >= 6) {
            // $var TYPE WIDTH CODE NAME [RANGE] $end
            const uint32_t width = (uint32_t)std::strtoul(t[2].c_str(), nullptr, 10);
            const std::string& code = t[3];
            const std::string& name = t[4];
            const std::string range = t.size() >= 7 ? t[5] : "";
            std::string full;
            for (const std::string& sc : scope_) full += sc + ".";
            signals_.push_back(full + name + range);
            if (fst_) {
                const Var* known = find_var(code.data(), code.size());
                const std::string fst_name = range.empty() ? name : name + " " + range;
                const fstVarType type = var_type(t[1]);
                // The same code twice is one signal under two names: an alias.
                const fstHandle h = fstWriterCreateVar(fst_, type, FST_VD_IMPLICIT, width ? width : 1, fst_name.c_str(),
                                                       known ? known->handle : 0);
                if (!known) {
                    const Var var{h, width ? width : 1, type == FST_VT_VCD_REAL};
                    const int64_t number = code_number(code.data(), code.size());
                    if (number < 0) {
                        vars_[code_key(code.data(), code.size())] = var;
                    } else {
                        if ((size_t)number >= by_code_.size()) by_code_.resize((size_t)number + 1);
                        by_code_[(size_t)number] = var;
                    }
                }
            }
        }
        t.clear();
    }
    header_.clear();
    header_.shrink_to_fit();
}

void WaveWriter::value_line(const char* s, size_t n) {
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ')) --n;
    if (n == 0) return;
    switch (s[0]) {
    case '#':
        fstWriterEmitTimeChange(fst_, std::strtoull(s + 1, nullptr, 10));
        return;
    case '0': case '1': case 'x': case 'X': case 'z': case 'Z': {
        const Var* var = find_var(s + 1, n - 1);
        if (!var) return;
        const char v = (char)std::tolower((unsigned char)s[0]);
        fstWriterEmitValueChange(fst_, var->handle, &v);
        return;
    }
    case 'b': case 'B': case 'r': case 'R': {
        const char* sp = (const char*)std::memchr(s, ' ', n);
        if (!sp) return;
        const size_t vlen = (size_t)(sp - s) - 1;
        const Var* found = find_var(sp + 1, n - (size_t)(sp + 1 - s));
        if (!found) return;
        const Var& var = *found;
        if (s[0] == 'r' || s[0] == 'R') {
            double d = std::strtod(s + 1, nullptr);
            fstWriterEmitValueChange(fst_, var.handle, &d);
            return;
        }
        // fstapi takes exactly `width` characters: VCD may leave out leading zeros.
        bits_.assign(var.width > vlen ? var.width - vlen : 0, s[1] == 'x' || s[1] == 'z' ? s[1] : '0');
        bits_.append(s + 1 + (vlen > var.width ? vlen - var.width : 0), vlen > var.width ? var.width : vlen);
        fstWriterEmitValueChange(fst_, var.handle, bits_.data());
        return;
    }
    default:
        return;  // $dumpvars, $end, comments
    }
}

}  // namespace staleline

#include "DinTrace.h"

#include <cstring>

namespace staleline {

namespace {
inline bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
// Value of a hex digit, -1 for any other byte: one table load per character.
struct HexTable {
    int8_t v[256];
    constexpr HexTable() : v() {
        for (int c = 0; c < 256; ++c)
            v[c] = c >= '0' && c <= '9' ? (int8_t)(c - '0')
                 : c >= 'a' && c <= 'f' ? (int8_t)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (int8_t)(c - 'A' + 10)
                                        : (int8_t)-1;
    }
};
constexpr HexTable kHex;
inline int hex_digit(char c) { return kHex.v[(unsigned char)c]; }
}  // namespace

bool DinTraceReader::refill() {
    if (eof_) return false;
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
    in_.read(buf_.data() + len_, (std::streamsize)(buf_.size() - 1 - len_));
    size_t got = (size_t)in_.gcount();
    len_ += got;
    if (got == 0) eof_ = true;
    return got != 0;
}

void DinTraceReader::fail(const char* line, const char* end, const char* what) const {
    // Quote the line (at most 80 characters, NUL bytes shown as \0) so the user can find it.
    std::string quoted;
    for (const char* q = line; q < end && quoted.size() < 80; ++q) quoted += *q ? std::string(1, *q) : std::string("\\0");
    if (end - line > 80) quoted += "...";
    throw TraceError(line_, std::string(what) + ", got '" + quoted + "'");
}

void DinTraceReader::parse_line(const char* line, const char* end, DinRecord* rec) const {
    const char* p = line;
    while (p < end && blank(*p)) ++p;
    if (p + 1 >= end || *p < '0' || *p > '2' || (p[1] != ' ' && p[1] != '\t'))
        fail(line, end, "expected a label 0 (read), 1 (write) or 2 (ifetch) followed by a hex address");
    rec->label = (unsigned)(*p - '0');
    p += 1;
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2;
    if (p >= end || hex_digit(*p) < 0) fail(line, end, "missing or malformed hex address");
    uint64_t a = 0;
    for (int d; p < end && (d = hex_digit(*p)) >= 0; ++p) {
        if (a >> 60) fail(line, end, "address out of range");
        a = a << 4 | (uint64_t)d;
    }
    while (p < end && blank(*p)) ++p;
    // din allows a trailing size/comment field only in extended forms; we accept nothing else
    if (p < end) fail(line, end, *p ? "unexpected text after the address" : "NUL byte after the address");
    rec->address = a;
}

bool DinTraceReader::next(DinRecord* rec) {
    // The common line, `<0|1|2> <1 to 15 hex digits>\n`, is parsed in one pass without
    // looking for its end first; anything else takes the general path below.
    {
        const char* p = buf_.data() + pos_;
        const char* lim = buf_.data() + len_;
        if (lim - p > 2 && (unsigned)(p[0] - '0') <= 2 && p[1] == ' ') {
            const char* q = p + 2;
            const char* qmax = q + 15 < lim ? q + 15 : lim;
            uint64_t a = 0;
            for (int d; q < qmax && (d = hex_digit(*q)) >= 0; ++q) a = a << 4 | (uint64_t)d;
            if (q > p + 2 && q < lim && *q == '\n') {
                ++line_;
                pos_ = (size_t)(q + 1 - buf_.data());
                rec->label = (unsigned)(p[0] - '0');
                rec->address = a;
                return true;
            }
        }
    }
    for (;;) {
        const char* start = buf_.data() + pos_;
        const char* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
        if (!nl) {
            if (len_ - pos_ > kMaxLine) {
                ++line_;
                fail(start, start + kMaxLine, "line longer than 4096 characters");
            }
            if (refill()) continue;
            if (pos_ == len_) return false;
            nl = buf_.data() + len_;  // the last line has no newline
            start = buf_.data() + pos_;
        }
        ++line_;
        const char* end = nl;
        pos_ = (size_t)(nl - buf_.data()) + (nl < buf_.data() + len_ ? 1 : 0);
        const char* p = start;
        while (p < end && blank(*p)) ++p;
        if (p == end || *p == '#') continue;
        parse_line(start, end, rec);
        return true;
    }
}

}  // namespace staleline

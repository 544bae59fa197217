#include "DinTrace.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace staleline {

bool DinTraceReader::next(DinRecord* rec) {
    while (std::getline(in_, buf_)) {
        ++line_;
        const char* p = buf_.c_str();
        while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
        if (!*p || *p == '#') continue;
        if (*p < '0' || *p > '2' || (p[1] != ' ' && p[1] != '\t'))
            throw TraceError(line_, "expected a label 0 (read), 1 (write) or 2 (ifetch) followed by a hex address, got '" + buf_ + "'");
        rec->label = (unsigned)(*p - '0');
        p += 1;
        while (*p == ' ' || *p == '\t') ++p;
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2;
        if (!std::isxdigit((unsigned char)*p)) throw TraceError(line_, "missing or malformed hex address in '" + buf_ + "'");
        errno = 0;
        char* end = nullptr;
        unsigned long long a = std::strtoull(p, &end, 16);
        if (errno) throw TraceError(line_, "address out of range in '" + buf_ + "'");
        while (*end == ' ' || *end == '\t' || *end == '\r') ++end;
        // din allows a trailing size/comment field only in extended forms; we accept nothing else
        if (*end) throw TraceError(line_, "unexpected text after the address in '" + buf_ + "'");
        rec->address = a;
        return true;
    }
    return false;
}

}  // namespace staleline

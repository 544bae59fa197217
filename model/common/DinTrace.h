// DinTrace: reader of Dinero IV "din" traces: one access per line, `<label> <hex address>`,
// label 0 = data read, 1 = data write, 2 = instruction fetch (counted as a read).
// Blank lines and lines starting with '#' are skipped. Other labels or garbage are an
// error naming the line number.
#pragma once

#include <cstdint>
#include <istream>
#include <stdexcept>
#include <string>

namespace staleline {

class TraceError : public std::runtime_error {
public:
    TraceError(unsigned long line, const std::string& msg)
        : std::runtime_error("line " + std::to_string(line) + ": " + msg), line_(line) {}
    unsigned long line() const { return line_; }
private:
    unsigned long line_;
};

struct DinRecord {
    unsigned label;    // 0 read, 1 write, 2 ifetch
    uint64_t address;
    bool is_write() const { return label == 1; }
};

class DinTraceReader {
public:
    explicit DinTraceReader(std::istream& in) : in_(in) {}
    // Next record; false at end of input. Throws TraceError on a malformed line.
    bool next(DinRecord* rec);
    unsigned long line() const { return line_; }
private:
    std::istream& in_;
    std::string buf_;
    unsigned long line_ = 0;
};

}  // namespace staleline

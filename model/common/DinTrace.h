// DinTrace: reader of Dinero IV "din" traces: one access per line, `<label> <hex address>`,
// label 0 = data read, 1 = data write, 2 = instruction fetch (counted as a read).
// Blank lines and lines starting with '#' are skipped. Other labels or garbage are an
// error naming the line number.
//
// Replay is parse-bound, so the reader takes its input in large blocks and parses hex by
// hand: no getline or strtoull per line.
#pragma once

#include <cstdint>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

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
    static constexpr size_t kMaxLine = 4096;  // a din line is a label and an address

    explicit DinTraceReader(std::istream& in) : in_(in), buf_(kBlock + kMaxLine + 1) {}
    // Next record; false at end of input. Throws TraceError on a malformed line.
    bool next(DinRecord* rec);
    unsigned long line() const { return line_; }

private:
    static constexpr size_t kBlock = 1 << 20;
    // Moves the unread tail to the front and reads the next block; false at end of input.
    bool refill();
    void parse_line(const char* p, const char* end, DinRecord* rec) const;
    [[noreturn]] void fail(const char* line, const char* end, const char* what) const;

    std::istream& in_;
    std::vector<char> buf_;
    size_t pos_ = 0, len_ = 0;
    bool eof_ = false;
    unsigned long line_ = 0;
};

}  // namespace staleline

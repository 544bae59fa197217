// FileReadBuf: a read-only std::streambuf over a C FILE*, in 64 KiB blocks, so that the
// trace readers (std::istream) can take standard input or any FILE the C API is given.
#pragma once

#include <cstdio>
#include <streambuf>

namespace staleline {

class FileReadBuf : public std::streambuf {
public:
    explicit FileReadBuf(FILE* f) : f_(f) {}

protected:
    int_type underflow() override {
        size_t n = std::fread(buf_, 1, sizeof buf_, f_);
        if (n == 0) return traits_type::eof();
        setg(buf_, buf_, buf_ + n);
        return traits_type::to_int_type(buf_[0]);
    }

private:
    FILE* f_;
    char buf_[1 << 16];
};

}  // namespace staleline

// SourceLocation: a place in driver (or test) source code, as findings report it, and
// CodeSite: how the checker remembers one cheaply until a finding needs it spelled out.
#pragma once

#include <cstdint>
#include <string>

namespace staleline {

struct SourceLocation {
    std::string file;      // relative to the source root when under it; empty when unknown
    unsigned line = 0;     // 0 when unknown
    std::string function;  // the function whose source holds the line (debug information), else the
                           // symbol, or "module+0xOFFSET" without symbols; may be empty
    uint32_t stack = 0;    // the driver's call stack recorded with the site (CallStacks id), 0: none;
                           // not part of the location's identity

    bool known() const { return !file.empty() || !function.empty(); }
    // "file:line (function)", "function", or "unknown location".
    std::string to_string() const;
    bool operator==(const SourceLocation& o) const {
        return line == o.line && file == o.file && function == o.function;
    }
    bool operator<(const SourceLocation& o) const {
        if (file != o.file) return file < o.file;
        if (line != o.line) return line < o.line;
        return function < o.function;
    }
};

// A code address (a return address recorded by the shim: resolved through the
// SourceLocator when needed) or a label (a location given as text, e.g. by a test through the
// C API: an index into the checker's label table). Neither: unknown.
struct CodeSite {
    const void* pc = nullptr;
    uint32_t label = 0;  // 0 = none, else index + 1
    uint32_t stack = 0;  // the callers' return addresses at the site (CallStacks id), 0: none

    bool known() const { return pc || label; }
    static CodeSite at_pc(const void* pc, uint32_t stack = 0) { return CodeSite{pc, 0, stack}; }
};

}  // namespace staleline

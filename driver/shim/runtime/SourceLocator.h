// SourceLocator: turns a code address of driver code (a return address recorded by the
// shim: pin call sites, shadow call stack frames, access sites) into "file.c:LINE (function)"
// using the DWARF line tables of the loaded modules (libdw). Addresses without debug
// information come out as "module.so+0xOFFSET", unknown ones as "0xADDRESS".
#pragma once

#include <cstdint>
#include <string>

namespace staleline::zx {

struct SourceLocation {
    std::string file;      // source file (full path as compiled), empty when unknown
    int line = 0;
    std::string function;  // symbol name, empty when unknown
    std::string module;    // shared object or executable path
    uint64_t module_offset = 0;
};

// Locates a return address (the instruction before it is the call). false when the address
// belongs to no loaded module.
bool locate_return_address(const void* pc, SourceLocation* out);
// Locates an exact instruction address.
bool locate_address(const void* addr, SourceLocation* out);
// One-line description of a return address, see above.
std::string describe_return_address(const void* pc);
// The same for the return address of a call made from an inlined function (a DDK wrapper such
// as pci_map_bar, static inline in ddk/protocol/pci.h): the line that called the inlined
// function, in its caller, rather than the header line.
std::string describe_call_site(const void* pc);
// From inside a shim function called by a DDK header wrapper (return address pc): the return
// address into the code that called the wrapper when the wrapper was not inlined (a function
// of its own, in a ddk/ header), else pc. Walks the stack with the unwinder (no frame pointers
// needed).
const void* driver_call_site(const void* pc);

// Modules loaded after the last lookup (a driver) are found automatically; call this after
// dlclose() so stale module tables are dropped.
void source_locator_reset();

}  // namespace staleline::zx

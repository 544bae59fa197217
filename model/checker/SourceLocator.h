// SourceLocator: code address -> {file, line, function} through the DWARF line tables and
// symbol tables of the modules loaded in this process (libdw's dwfl over /proc/self/maps):
// the executable, its libraries and driver modules loaded later with dlopen. Results are
// cached per address. File names under the source root come out relative to it, so outputs
// carry no absolute build paths; an address without debug information comes out as
// "module+0xOFFSET" (module base name, offset in the module: no host addresses).
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "checker/SourceLocation.h"

namespace staleline {

// Compile units and line-table rows by address, for any module the libdw session reports.
// libdw 0.188 finds a unit by address (dwfl_module_addrdie, dwfl_module_getsrc) through
// .debug_aranges only, which clang does not emit: without it every address of a clang-built
// module has no unit and no line. These ask libdw first and then look at each unit's own
// address ranges (DW_AT_low_pc/high_pc or DW_AT_ranges). Also used by the shim's locator.
// The unit belongs to the module (not to be freed); bias: module address - DWARF address.
Dwarf_Die* find_dwarf_unit(Dwfl_Module* mod, Dwarf_Addr addr, Dwarf_Addr* bias);
// The line-table row for addr: its file (as compiled) and line. false when there is none.
bool find_dwarf_line(Dwfl_Module* mod, Dwarf_Addr addr, const char** file, int* line);
// Reports every object the dynamic loader has loaded (the executable, libraries, modules) to
// d, each at the address it was loaded at, between dwfl_report_begin and _end. Unlike reading
// /proc/self/maps, a file that libdw itself mapped to read its debug information is not taken
// for a second piece of the module, which would move the module's base depending on where
// the kernel placed that mapping (and with it every offset and line).
bool report_loaded_modules(Dwfl* d);

class SourceLocator {
public:
    // source_root empty: the source tree this library was built from.
    explicit SourceLocator(std::string source_root = "");
    ~SourceLocator();
    SourceLocator(const SourceLocator&) = delete;
    SourceLocator& operator=(const SourceLocator&) = delete;

    // The call or access whose return address is pc (the instruction before it).
    SourceLocation locate_return(const void* pc);
    // The instruction at addr (e.g. a function's entry).
    SourceLocation locate(const void* addr);

    // Read the module list again (after a driver module was loaded or unloaded) and forget
    // cached results. A lookup that finds no module refreshes once by itself.
    void refresh();

    const std::string& source_root() const { return root_; }
    // path relative to the source root when under it, else path unchanged ("." and ".."
    // segments folded away).
    std::string relative(const std::string& path) const;
    // The source tree this library was built from.
    static std::string build_source_root();

private:
    bool lookup(uintptr_t addr, SourceLocation* out);
    bool open_session();

    std::string root_;
    Dwfl* dwfl_ = nullptr;
    std::unordered_map<uintptr_t, SourceLocation> cache_;
};

}  // namespace staleline

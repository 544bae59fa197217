// SourceLocator: code address -> {file, line, function} through the DWARF line tables and
// symbol tables of the modules loaded in this process (libdw's dwfl): the executable, its
// libraries and driver modules loaded later with dlopen. The one locator of the project: the
// checker's findings and the shim's runtime messages (describe_*) both come from here. Results are
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
    // The instance for the shim's runtime messages (describe_* below): the source tree this
    // library was built from as root. The checker owns one of its own, rooted where
    // checker.source_root says.
    static SourceLocator& process();

    // source_root empty: the source tree this library was built from.
    explicit SourceLocator(std::string source_root = "");
    ~SourceLocator();
    SourceLocator(const SourceLocator&) = delete;
    SourceLocator& operator=(const SourceLocator&) = delete;

    // The call or access whose return address is pc (the instruction before it).
    SourceLocation locate_return(const void* pc);
    // The instruction at addr (e.g. a function's entry).
    SourceLocation locate(const void* addr);

    // Runtime messages (a driver fault, the call a message names): "file.c:LINE (symbol)" for
    // the instruction before return address pc, with the base name of the file as compiled and
    // the symbol's name; "module.so+0xOFFSET (symbol)" without debug information; "0xADDRESS"
    // outside every module.
    std::string describe_return(const void* pc);
    // The same for the return address of a call made from an inlined function (a DDK wrapper
    // such as pci_map_bar, static inline in ddk/protocol/pci.h): the line that called the
    // inlined function, in its caller, rather than the header line.
    std::string describe_call_site(const void* pc);
    // From inside a shim function called by a DDK header wrapper (return address pc): the
    // return address into the code that called the wrapper when the wrapper was not inlined (a
    // function of its own, in a ddk/ header), else pc. Walks the stack with the unwinder (no
    // frame pointers needed).
    const void* driver_call_site(const void* pc);

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
    // A code address as compiled: the file's path as the compiler saw it, the symbol, the module.
    struct RawLocation {
        std::string file;
        int line = 0;
        std::string function;
        std::string module;
        uint64_t module_offset = 0;
    };
    bool lookup(uintptr_t addr, SourceLocation* out);
    bool locate_raw(const void* addr, RawLocation* out);
    // The module holding addr, reading the module list again when there is none, or (loader_check)
    // when the loader has another module at addr than the one read (dlclose'd and loaded again).
    Dwfl_Module* module_at(uintptr_t addr, bool loader_check);
    // When the instruction before return address pc belongs to an inlined function: the file
    // and line of the call that inlined it (the innermost such scope).
    bool inlined_call(const void* pc, std::string* file, unsigned long long* line);
    bool open_session();

    std::string root_;
    Dwfl* dwfl_ = nullptr;
    std::unordered_map<uintptr_t, SourceLocation> cache_;
};

// The shim's runtime messages, through SourceLocator::process().
std::string describe_return_address(const void* pc);
std::string describe_call_site(const void* pc);
const void* driver_call_site(const void* pc);

}  // namespace staleline

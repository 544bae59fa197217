#include "SourceLocator.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "checker/SourceLocator.h"  // find_dwarf_unit, find_dwarf_line: no .debug_aranges needed

namespace staleline::zx {

namespace {

const Dwfl_Callbacks kCallbacks = {
    dwfl_linux_proc_find_elf,
    dwfl_standard_find_debuginfo,
    nullptr,
    nullptr,
};

Dwfl* g_dwfl = nullptr;

Dwfl* session(bool refresh) {
    if (g_dwfl && !refresh) return g_dwfl;
    if (g_dwfl) dwfl_end(g_dwfl);
    g_dwfl = dwfl_begin(&kCallbacks);
    if (!g_dwfl) return nullptr;
    dwfl_report_begin(g_dwfl);
    if (!report_loaded_modules(g_dwfl) || dwfl_report_end(g_dwfl, nullptr, nullptr) != 0) {
        dwfl_end(g_dwfl);
        g_dwfl = nullptr;
    }
    return g_dwfl;
}

}  // namespace

bool locate_address(const void* addr_p, SourceLocation* out) {
    const Dwarf_Addr addr = (Dwarf_Addr)(uintptr_t)addr_p;
    Dwfl* d = session(false);
    Dwfl_Module* mod = d ? dwfl_addrmodule(d, addr) : nullptr;
    // The loader's view of the address: a module dlclose'd and another (or the same one again)
    // loaded over its range since the module list was read leaves a stale entry whose base is
    // not the one the loader has now; offsets from it would depend on where things were loaded.
    Dl_info dl;
    const bool have_dl = dladdr(addr_p, &dl) && dl.dli_fname;
    auto stale = [&](Dwfl_Module* m) {
        Dwarf_Addr start = 0;
        return have_dl && dwfl_module_info(m, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr) &&
               start != (Dwarf_Addr)(uintptr_t)dl.dli_fbase;
    };
    if (!mod || stale(mod)) {
        // A module loaded since the module list was read (a driver): read it again.
        d = session(true);
        mod = d ? dwfl_addrmodule(d, addr) : nullptr;
    }
    *out = SourceLocation{};
    if (!mod) {
        if (!have_dl) return false;
        out->module = dl.dli_fname;
        out->module_offset = (uint64_t)((uintptr_t)addr_p - (uintptr_t)dl.dli_fbase);
        if (dl.dli_sname) out->function = dl.dli_sname;
        return true;
    }
    Dwarf_Addr base = 0;
    const char* modname = dwfl_module_info(mod, nullptr, &base, nullptr, nullptr, nullptr, nullptr, nullptr);
    if (modname) out->module = modname;
    out->module_offset = addr - base;
    if (const char* fn = dwfl_module_addrname(mod, addr)) out->function = fn;
    const char* file = nullptr;
    int lineno = 0;
    if (find_dwarf_line(mod, addr, &file, &lineno)) {
        out->file = file;
        out->line = lineno;
    }
    return true;
}

bool locate_return_address(const void* pc, SourceLocation* out) {
    if (!pc) {
        *out = SourceLocation{};
        return false;
    }
    return locate_address((const char*)pc - 1, out);
}

std::string describe_return_address(const void* pc) {
    SourceLocation loc;
    char buf[512];
    if (!locate_return_address(pc, &loc)) {
        std::snprintf(buf, sizeof buf, "%p", pc);
        return buf;
    }
    if (!loc.file.empty()) {
        const char* base = std::strrchr(loc.file.c_str(), '/');
        std::snprintf(buf, sizeof buf, "%s:%d%s%s%s", base ? base + 1 : loc.file.c_str(), loc.line,
                      loc.function.empty() ? "" : " (", loc.function.c_str(), loc.function.empty() ? "" : ")");
        return buf;
    }
    const char* base = std::strrchr(loc.module.c_str(), '/');
    std::snprintf(buf, sizeof buf, "%s+0x%" PRIx64 "%s%s%s", base ? base + 1 : loc.module.c_str(), loc.module_offset,
                  loc.function.empty() ? "" : " (", loc.function.c_str(), loc.function.empty() ? "" : ")");
    return buf;
}

namespace {

// When the instruction before return address pc belongs to an inlined function: the file and
// line of the call that inlined it (the innermost such scope).
bool inlined_call(const void* pc, std::string* file_out, unsigned long long* line_out) {
    if (!pc) return false;
    const Dwarf_Addr addr = (Dwarf_Addr)(uintptr_t)pc - 1;
    Dwfl* d = session(false);
    Dwfl_Module* mod = d ? dwfl_addrmodule(d, addr) : nullptr;
    if (!mod) return false;
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = find_dwarf_unit(mod, addr, &bias);
    if (!cu) return false;
    Dwarf_Die* scopes = nullptr;
    const int n = dwarf_getscopes(cu, addr - bias, &scopes);
    bool found = false;
    for (int i = 0; i < n && !found; ++i) {
        if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine) continue;
        Dwarf_Attribute attr;
        Dwarf_Word file_idx = 0, line = 0;
        if (!dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr), &file_idx) &&
            !dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr), &line)) {
            Dwarf_Files* files = nullptr;
            size_t nfiles = 0;
            const char* file = nullptr;
            if (dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && file_idx < nfiles)
                file = dwarf_filesrc(files, file_idx, nullptr, nullptr);
            if (file) {
                *file_out = file;
                *line_out = line;
                found = true;
            }
        }
        break;  // only the innermost inlined scope
    }
    free(scopes);
    return found;
}

}  // namespace

std::string describe_call_site(const void* pc) {
    std::string file;
    unsigned long long line = 0;
    if (!inlined_call(pc, &file, &line)) return describe_return_address(pc);
    SourceLocation loc;
    locate_return_address(pc, &loc);
    const char* base = std::strrchr(file.c_str(), '/');
    char buf[512];
    std::snprintf(buf, sizeof buf, "%s:%llu%s%s%s", base ? base + 1 : file.c_str(), line,
                  loc.function.empty() ? "" : " (", loc.function.c_str(), loc.function.empty() ? "" : ")");
    return buf;
}

const void* driver_call_site(const void* pc) {
    std::string file;
    unsigned long long line = 0;
    if (inlined_call(pc, &file, &line)) return pc;  // the wrapper was inlined into its caller
    SourceLocation loc;
    if (!locate_return_address(pc, &loc) || loc.file.find("/include/ddk/") == std::string::npos) return pc;
    // pc lies in a wrapper's own body: find it on the stack and take the frame above it.
    void* frames[8];
    const int n = backtrace(frames, 8);
    for (int i = 0; i + 1 < n; ++i)
        if (frames[i] == pc) return frames[i + 1];
    return pc;
}

void source_locator_reset() {
    if (g_dwfl) dwfl_end(g_dwfl);
    g_dwfl = nullptr;
}

}  // namespace staleline::zx

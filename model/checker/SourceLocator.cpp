#include "checker/SourceLocator.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace staleline {

std::string SourceLocation::to_string() const {
    if (!file.empty()) {
        std::string s = file + ":" + std::to_string(line);
        if (!function.empty()) s += " (" + function + ")";
        return s;
    }
    if (!function.empty()) return function;
    return "unknown location";
}

namespace {

const Dwfl_Callbacks kCallbacks = {
    dwfl_linux_proc_find_elf,
    dwfl_standard_find_debuginfo,
    nullptr,
    nullptr,
};

// Folds "." and ".." segments and repeated slashes, textually.
std::string normalize(const std::string& path) {
    const bool absolute = !path.empty() && path[0] == '/';
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string seg = path.substr(i, j - i);
        if (seg == "..") {
            if (!parts.empty() && parts.back() != "..") parts.pop_back();
            else if (!absolute) parts.push_back(seg);
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(seg);
        }
        i = j + 1;
    }
    std::string out = absolute ? "/" : "";
    for (size_t k = 0; k < parts.size(); ++k) out += (k ? "/" : "") + parts[k];
    return out.empty() ? "." : out;
}

std::string base_name(const std::string& path) {
    size_t s = path.rfind('/');
    return s == std::string::npos ? path : path.substr(s + 1);
}

std::string module_offset(const std::string& module, uint64_t offset) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "+0x%" PRIx64, offset);
    return base_name(module) + buf;
}

bool is_header(const std::string& f) {
    auto ends = [&](const char* x) {
        const size_t n = std::strlen(x);
        return f.size() >= n && f.compare(f.size() - n, n, x) == 0;
    };
    return ends(".h") || ends(".hpp") || ends(".hh");
}

// The innermost scope around addr whose tag `want` accepts, given to fn with its unit; what fn
// returns, false when there is no such scope.
template <class Want, class Fn>
bool with_innermost_scope(Dwfl_Module* mod, Dwarf_Addr addr, Want want, Fn fn) {
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = find_dwarf_unit(mod, addr, &bias);
    if (!cu) return false;
    Dwarf_Die* scopes = nullptr;
    const int n = dwarf_getscopes(cu, addr - bias, &scopes);
    bool found = false;
    for (int i = 0; i < n; ++i)
        if (want(dwarf_tag(&scopes[i]))) {
            found = fn(cu, &scopes[i]);
            break;
        }
    free(scopes);
    return found;
}

// The function whose source holds the line of addr: the innermost inlined instance or
// subprogram around it (its name through DW_AT_abstract_origin). The symbol table names what
// the compiler made of it instead (GCC's "submit.part.0", or the caller a static helper was
// inlined into), which differs between compilers for the same line.
bool function_at(Dwfl_Module* mod, Dwarf_Addr addr, std::string* out) {
    return with_innermost_scope(
        mod, addr, [](int tag) { return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine; },
        [out](Dwarf_Die*, Dwarf_Die* fn) {
            const char* name = dwarf_diename(fn);
            if (name) *out = name;
            return name != nullptr;
        });
}

// Code inlined from a header (writel from hw/reg.h, a zircon helper) is reported at the place
// the driver's own code called it: follow the chain of inlined instances at addr outwards
// (call file and line of each, in the function that contains it) and take the innermost
// location that is not in a header.
void prefer_caller_of_inlined_header(Dwfl_Module* mod, Dwarf_Addr addr, const SourceLocator& loc, SourceLocation* out) {
    if (!is_header(out->file)) return;
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = find_dwarf_unit(mod, addr, &bias);
    if (!cu) return;
    Dwarf_Files* files = nullptr;
    size_t nfiles = 0;
    if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0) return;
    Dwarf_Die* scopes = nullptr;
    const int n = dwarf_getscopes(cu, addr - bias, &scopes);
    if (n <= 0) return;
    Dwarf_Die cur = scopes[0];  // the innermost scope; after an inlined instance dwarf_getscopes
    free(scopes);               // lists its abstract definition, so walk the concrete tree instead
    for (int depth = 0; depth < 64 && dwarf_tag(&cur) == DW_TAG_inlined_subroutine; ++depth) {
        Dwarf_Attribute a;
        Dwarf_Word file_idx = 0, line = 0;
        if (!dwarf_attr(&cur, DW_AT_call_file, &a) || dwarf_formudata(&a, &file_idx) != 0) return;
        if (!dwarf_attr(&cur, DW_AT_call_line, &a) || dwarf_formudata(&a, &line) != 0) return;
        const char* file = dwarf_filesrc(files, file_idx, nullptr, nullptr);
        if (!file) return;
        // The function (inlined instance or subprogram) containing the call site.
        Dwarf_Die* outer = nullptr;
        const int m = dwarf_getscopes_die(&cur, &outer);
        Dwarf_Die parent;
        bool found = false;
        for (int k = 1; k < m && !found; ++k) {
            const int tag = dwarf_tag(&outer[k]);
            if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram) {
                parent = outer[k];
                found = true;
            }
        }
        free(outer);
        if (!found) return;
        const std::string rel = loc.relative(file);
        if (!is_header(rel) || dwarf_tag(&parent) != DW_TAG_inlined_subroutine) {
            out->file = rel;
            out->line = (unsigned)line;
            if (const char* name = dwarf_diename(&parent)) out->function = name;
            if (!is_header(rel)) return;
        }
        cur = parent;
    }
}

}  // namespace

bool report_loaded_modules(Dwfl* d) {
    struct Ctx {
        Dwfl* d;
        bool ok;
    } ctx{d, true};
    dl_iterate_phdr(
        [](struct dl_phdr_info* info, size_t, void* p) -> int {
            auto* c = static_cast<Ctx*>(p);
            const char* name = info->dlpi_name;
            std::string path;
            if (!name || !*name) {
                // The executable has no name here; the kernel knows its file.
                char buf[4096];
                ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
                if (n <= 0) return 0;
                path.assign(buf, (size_t)n);
            } else if (name[0] != '/') {
                return 0;  // the vDSO: no file, no driver code
            } else {
                path = name;
            }
            if (!dwfl_report_elf(c->d, path.c_str(), path.c_str(), -1, (GElf_Addr)info->dlpi_addr, false))
                c->ok = false;
            return 0;
        },
        &ctx);
    return ctx.ok;
}

Dwarf_Die* find_dwarf_unit(Dwfl_Module* mod, Dwarf_Addr addr, Dwarf_Addr* bias) {
    if (Dwarf_Die* cu = dwfl_module_addrdie(mod, addr, bias)) return cu;
    // No .debug_aranges entry (clang emits none): ask each unit. A driver has a few.
    Dwarf_Die* cu = nullptr;
    while ((cu = dwfl_module_nextcu(mod, cu, bias)))
        if (dwarf_haspc(cu, addr - *bias) > 0) return cu;
    return nullptr;
}

bool find_dwarf_line(Dwfl_Module* mod, Dwarf_Addr addr, const char** file, int* line) {
    *line = 0;
    if (Dwfl_Line* l = dwfl_module_getsrc(mod, addr)) {
        *file = dwfl_lineinfo(l, nullptr, line, nullptr, nullptr, nullptr);
        return *file != nullptr;
    }
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = find_dwarf_unit(mod, addr, &bias);
    Dwarf_Line* l = cu ? dwarf_getsrc_die(cu, addr - bias) : nullptr;
    if (!l || dwarf_lineno(l, line) != 0) return false;
    *file = dwarf_linesrc(l, nullptr, nullptr);
    return *file != nullptr;
}

std::string SourceLocator::build_source_root() {
    // This file is compiled as <root>/model/checker/SourceLocator.cpp (CMake passes absolute
    // paths), which names the root without a build-system definition.
    static const char kSelf[] = "model/checker/SourceLocator.cpp";
    std::string f = __FILE__;
    if (f.size() > sizeof kSelf - 1 && f.compare(f.size() - (sizeof kSelf - 1), std::string::npos, kSelf) == 0) {
        std::string root = f.substr(0, f.size() - (sizeof kSelf - 1));
        if (root.size() > 1 && root.back() == '/') root.pop_back();
        return normalize(root);
    }
    return "";
}

SourceLocator::SourceLocator(std::string source_root)
    : root_(normalize(source_root.empty() ? build_source_root() : source_root)) {
    if (root_ == ".") root_.clear();
}

SourceLocator::~SourceLocator() {
    if (dwfl_) dwfl_end(dwfl_);
}

bool SourceLocator::open_session() {
    if (dwfl_) dwfl_end(dwfl_);
    dwfl_ = dwfl_begin(&kCallbacks);
    if (!dwfl_) return false;
    dwfl_report_begin(dwfl_);
    if (!report_loaded_modules(dwfl_) || dwfl_report_end(dwfl_, nullptr, nullptr) != 0) {
        dwfl_end(dwfl_);
        dwfl_ = nullptr;
        return false;
    }
    return true;
}

void SourceLocator::refresh() {
    cache_.clear();
    if (dwfl_) {
        dwfl_end(dwfl_);
        dwfl_ = nullptr;
    }
}

std::string SourceLocator::relative(const std::string& path) const {
    if (path.empty()) return path;
    std::string p = normalize(path);
    if (!root_.empty() && root_ != "/" && p.size() > root_.size() && p.compare(0, root_.size(), root_) == 0 &&
        p[root_.size()] == '/')
        return p.substr(root_.size() + 1);
    return p;
}

Dwfl_Module* SourceLocator::module_at(uintptr_t addr, bool loader_check) {
    if (!dwfl_ && !open_session()) return nullptr;
    Dwfl_Module* mod = dwfl_addrmodule(dwfl_, (Dwarf_Addr)addr);
    bool stale = false;
    if (mod && loader_check) {
        // The loader's view of the address: a module dlclose'd and another (or the same one
        // again) loaded over its range since the module list was read leaves a stale entry
        // whose base is not the one the loader has now; offsets from it would depend on where
        // things were loaded.
        Dl_info dl;
        Dwarf_Addr start = 0;
        stale = dladdr((const void*)addr, &dl) && dl.dli_fname &&
                dwfl_module_info(mod, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr) &&
                start != (Dwarf_Addr)(uintptr_t)dl.dli_fbase;
    }
    if (!mod || stale) {
        // Loaded since the module list was read (a driver): read it again, once.
        if (!open_session()) return nullptr;
        mod = dwfl_addrmodule(dwfl_, (Dwarf_Addr)addr);
    }
    return mod;
}

bool SourceLocator::lookup(uintptr_t addr, SourceLocation* out) {
    if (!dwfl_ && !open_session()) return false;
    Dwfl_Module* mod = module_at(addr, false);
    if (!mod) {
        Dl_info info;
        if (!dladdr((const void*)addr, &info) || !info.dli_fname) return false;
        out->function = info.dli_sname ? info.dli_sname
                                       : module_offset(info.dli_fname, (uint64_t)(addr - (uintptr_t)info.dli_fbase));
        return true;
    }
    Dwarf_Addr base = 0;
    const char* modname = dwfl_module_info(mod, nullptr, &base, nullptr, nullptr, nullptr, nullptr, nullptr);
    if (const char* fn = dwfl_module_addrname(mod, (Dwarf_Addr)addr)) out->function = fn;
    else out->function = module_offset(modname ? modname : "?", (uint64_t)(addr - base));
    const char* file = nullptr;
    int lineno = 0;
    if (find_dwarf_line(mod, (Dwarf_Addr)addr, &file, &lineno)) {
        out->file = relative(file);
        out->line = lineno > 0 ? (unsigned)lineno : 0;
        function_at(mod, (Dwarf_Addr)addr, &out->function);
        prefer_caller_of_inlined_header(mod, (Dwarf_Addr)addr, *this, out);
    }
    return true;
}

SourceLocation SourceLocator::locate(const void* addr) {
    SourceLocation loc;
    if (!addr) return loc;
    const uintptr_t a = (uintptr_t)addr;
    auto it = cache_.find(a);
    if (it != cache_.end()) return it->second;
    if (!lookup(a, &loc)) {
        loc = SourceLocation{};
        loc.function = "unknown code address";  // never the host address itself
    }
    cache_.emplace(a, loc);
    return loc;
}

SourceLocation SourceLocator::locate_return(const void* pc) {
    if (!pc) return SourceLocation{};
    return locate((const char*)pc - 1);
}

// ---- the shim's runtime messages ----

SourceLocator& SourceLocator::process() {
    static SourceLocator instance;
    return instance;
}

bool SourceLocator::locate_raw(const void* addr_p, RawLocation* out) {
    *out = RawLocation{};
    const uintptr_t addr = (uintptr_t)addr_p;
    Dwfl_Module* mod = module_at(addr, true);
    if (!mod) {
        Dl_info dl;
        if (!dladdr(addr_p, &dl) || !dl.dli_fname) return false;
        out->module = dl.dli_fname;
        out->module_offset = (uint64_t)(addr - (uintptr_t)dl.dli_fbase);
        if (dl.dli_sname) out->function = dl.dli_sname;
        return true;
    }
    Dwarf_Addr base = 0;
    const char* modname = dwfl_module_info(mod, nullptr, &base, nullptr, nullptr, nullptr, nullptr, nullptr);
    if (modname) out->module = modname;
    out->module_offset = addr - base;
    if (const char* fn = dwfl_module_addrname(mod, (Dwarf_Addr)addr)) out->function = fn;
    const char* file = nullptr;
    int line = 0;
    if (find_dwarf_line(mod, (Dwarf_Addr)addr, &file, &line)) {
        out->file = file;
        out->line = line;
    }
    return true;
}

std::string SourceLocator::describe_return(const void* pc) {
    RawLocation loc;
    char buf[512];
    if (!pc || !locate_raw((const char*)pc - 1, &loc)) {
        std::snprintf(buf, sizeof buf, "%p", pc);
        return buf;
    }
    const char* open = loc.function.empty() ? "" : " (";
    const char* close = loc.function.empty() ? "" : ")";
    if (!loc.file.empty())
        std::snprintf(buf, sizeof buf, "%s:%d%s%s%s", base_name(loc.file).c_str(), loc.line, open, loc.function.c_str(),
                      close);
    else
        std::snprintf(buf, sizeof buf, "%s%s%s%s", module_offset(loc.module, loc.module_offset).c_str(), open,
                      loc.function.c_str(), close);
    return buf;
}

bool SourceLocator::inlined_call(const void* pc, std::string* file_out, unsigned long long* line_out) {
    if (!pc) return false;
    const Dwarf_Addr addr = (Dwarf_Addr)(uintptr_t)pc - 1;
    Dwfl_Module* mod = module_at((uintptr_t)addr, false);
    if (!mod) return false;
    return with_innermost_scope(
        mod, addr, [](int tag) { return tag == DW_TAG_inlined_subroutine; },
        [&](Dwarf_Die* cu, Dwarf_Die* inlined) {
            Dwarf_Attribute attr;
            Dwarf_Word file_idx = 0, line = 0;
            if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &file_idx) ||
                dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &line))
                return false;
            Dwarf_Files* files = nullptr;
            size_t nfiles = 0;
            const char* file = nullptr;
            if (dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && file_idx < nfiles)
                file = dwarf_filesrc(files, file_idx, nullptr, nullptr);
            if (!file) return false;
            *file_out = file;
            *line_out = line;
            return true;
        });
}

std::string SourceLocator::describe_call_site(const void* pc) {
    std::string file;
    unsigned long long line = 0;
    if (!inlined_call(pc, &file, &line)) return describe_return(pc);
    RawLocation loc;
    locate_raw((const char*)pc - 1, &loc);
    char buf[512];
    std::snprintf(buf, sizeof buf, "%s:%llu%s%s%s", base_name(file).c_str(), line, loc.function.empty() ? "" : " (",
                  loc.function.c_str(), loc.function.empty() ? "" : ")");
    return buf;
}

const void* SourceLocator::driver_call_site(const void* pc) {
    std::string file;
    unsigned long long line = 0;
    if (inlined_call(pc, &file, &line)) return pc;  // the wrapper was inlined into its caller
    RawLocation loc;
    if (!pc || !locate_raw((const char*)pc - 1, &loc) || loc.file.find("/include/ddk/") == std::string::npos) return pc;
    // pc lies in a wrapper's own body: find it on the stack and take the frame above it.
    void* frames[8];
    const int n = backtrace(frames, 8);
    for (int i = 0; i + 1 < n; ++i)
        if (frames[i] == pc) return frames[i + 1];
    return pc;
}

std::string describe_return_address(const void* pc) { return SourceLocator::process().describe_return(pc); }
std::string describe_call_site(const void* pc) { return SourceLocator::process().describe_call_site(pc); }
const void* driver_call_site(const void* pc) { return SourceLocator::process().driver_call_site(pc); }

}  // namespace staleline

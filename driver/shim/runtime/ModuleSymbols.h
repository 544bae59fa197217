// ModuleSymbols: what a driver module file imports, read from its ELF dynamic symbol table
// (no loading needed). The loader uses it to tell a driver built with access instrumentation
// (it imports __tsan_func_entry, see cmake/StalelineDriver.cmake) from one built without, which
// the coherency checker must then check in conservative mode.
#pragma once

#include <string>

namespace staleline::zx {

// Whether the ELF64 file at path has `symbol` as an undefined (imported) dynamic symbol.
// false when the file cannot be read or is not an ELF64 file.
bool module_imports(const std::string& path, const char* symbol);

}  // namespace staleline::zx

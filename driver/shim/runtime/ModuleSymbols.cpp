#include "ModuleSymbols.h"

#include <elf.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace staleline::zx {

namespace {

bool read_at(std::FILE* f, uint64_t off, void* buf, size_t n) {
    return std::fseek(f, (long)off, SEEK_SET) == 0 && std::fread(buf, 1, n, f) == n;
}

}  // namespace

bool module_imports(const std::string& path, const char* symbol) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    bool found = false;
    Elf64_Ehdr eh;
    if (read_at(f, 0, &eh, sizeof eh) && std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
        eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum > 0 &&
        eh.e_shnum < 4096) {
        std::vector<Elf64_Shdr> sh(eh.e_shnum);
        if (read_at(f, eh.e_shoff, sh.data(), sh.size() * sizeof(Elf64_Shdr))) {
            for (const Elf64_Shdr& s : sh) {
                if (s.sh_type != SHT_DYNSYM || s.sh_link >= sh.size() || s.sh_entsize != sizeof(Elf64_Sym)) continue;
                const Elf64_Shdr& strtab = sh[s.sh_link];
                if (s.sh_size > (64u << 20) || strtab.sh_size > (64u << 20)) break;
                std::vector<Elf64_Sym> syms(s.sh_size / sizeof(Elf64_Sym));
                std::vector<char> names(strtab.sh_size + 1, '\0');
                if (!read_at(f, s.sh_offset, syms.data(), syms.size() * sizeof(Elf64_Sym)) ||
                    !read_at(f, strtab.sh_offset, names.data(), strtab.sh_size))
                    break;
                for (const Elf64_Sym& sym : syms) {
                    if (sym.st_shndx != SHN_UNDEF || sym.st_name >= strtab.sh_size) continue;
                    if (std::strcmp(names.data() + sym.st_name, symbol) == 0) {
                        found = true;
                        break;
                    }
                }
                break;
            }
        }
    }
    std::fclose(f);
    return found;
}

}  // namespace staleline::zx

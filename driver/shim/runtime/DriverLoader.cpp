#include "DriverLoader.h"

#include "staleline/modules.h"

#include <algorithm>

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include "DeviceManager.h"
#include "ModuleSymbols.h"
#include "PciFunction.h"
#include "ShimRuntime.h"
#include "SimThread.h"

#ifndef STALELINE_BUILD_DRIVER_DIR
#define STALELINE_BUILD_DRIVER_DIR ""
#endif

namespace staleline::zx {

namespace {

bool file_exists(const std::string& p) { return access(p.c_str(), R_OK) == 0; }

// Properties of a PCI function, as the bus driver publishes them for binding.
struct BindProps {
    uint32_t vid, did, base_class, sub_class, interface, revision, bdf;
};

bool lookup(const BindProps& p, uint32_t flags, uint32_t id, uint32_t* value) {
    switch (id) {
        case BIND_FLAGS: *value = flags; return true;
        case BIND_PROTOCOL: *value = ZX_PROTOCOL_PCI; return true;
        case BIND_AUTOBIND: *value = 0; return true;  // an explicit bind, never automatic
        case BIND_PCI_VID: *value = p.vid; return true;
        case BIND_PCI_DID: *value = p.did; return true;
        case BIND_PCI_CLASS: *value = p.base_class; return true;
        case BIND_PCI_SUBCLASS: *value = p.sub_class; return true;
        case BIND_PCI_INTERFACE: *value = p.interface; return true;
        case BIND_PCI_REVISION: *value = p.revision; return true;
        case BIND_PCI_BDF_ADDR: *value = p.bdf; return true;
        default: return false;
    }
}

// Zircon's bind program interpreter: the first ABORT or MATCH whose condition holds decides;
// an instruction whose property the device lacks is skipped; falling off the end is no match.
bool run_bind_program(const zx_bind_inst_t* prog, uint32_t count, const BindProps& props) {
    uint32_t flags = 0;
    for (uint32_t i = 0; i < count; ++i) {
        const uint32_t op = prog[i].op, arg = prog[i].arg;
        const uint32_t cond = BINDINST_CC(op);
        bool holds = true;
        if (cond != COND_AL) {
            uint32_t v = 0;
            if (!lookup(props, flags, BINDINST_PB(op), &v)) continue;
            switch (cond) {
                case COND_EQ: holds = v == arg; break;
                case COND_NE: holds = v != arg; break;
                case COND_GT: holds = v > arg; break;
                case COND_LT: holds = v < arg; break;
                case COND_GE: holds = v >= arg; break;
                case COND_LE: holds = v <= arg; break;
                case COND_MASK: holds = (v & arg) != 0; break;
                case COND_BITS: holds = (v & arg) == arg; break;
                default: return false;  // an unknown condition: the program is malformed
            }
        }
        if (!holds) continue;
        switch (BINDINST_OP(op)) {
            case OP_ABORT: return false;
            case OP_MATCH: return true;
            case OP_GOTO: {
                const uint32_t label = BINDINST_PA(op);
                uint32_t j = i + 1;
                while (j < count && !(BINDINST_OP(prog[j].op) == OP_LABEL && BINDINST_PA(prog[j].op) == label)) ++j;
                if (j == count) return false;
                i = j;
                break;
            }
            case OP_SET: flags |= BINDINST_PA(op); break;
            case OP_CLEAR: flags &= ~BINDINST_PA(op); break;
            case OP_LABEL: break;
            default: return false;
        }
    }
    return false;
}

}  // namespace

DriverLoader::DriverLoader(ShimRuntime& rt) : rt_(rt) {}

std::vector<std::string> DriverLoader::search_path() {
    static char dirs[8][SL_MODULE_DIR_MAX];
    size_t n = sl_module_search_path("drivers", "STALELINE_DRIVER_PATH",
                                     *STALELINE_BUILD_DRIVER_DIR ? STALELINE_BUILD_DRIVER_DIR : nullptr, dirs, 8);
    return std::vector<std::string>(dirs, dirs + n);
}

std::string DriverLoader::resolve(const std::string& name, std::string* error) {
    if (name.empty()) {
        if (error) *error = "empty driver name";
        return "";
    }
    // "bug:NAME": a variant of the reference driver from the bug catalogue (testbench/bugs),
    // built as bug-NAME.so.
    if (name.compare(0, 4, "bug:") == 0) {
        if (name.size() > 4 && name.find('/') == std::string::npos) {
            std::string path = resolve("bug-" + name.substr(4), error);
            if (path.empty() && error)
                *error = "no bug '" + name.substr(4) + "' in the catalogue (" + *error + "; see testbench/bugs/README.md)";
            return path;
        }
        if (error) *error = "'" + name + "': expected bug:NAME (testbench/bugs/README.md)";
        return "";
    }
    const bool is_path = name.find('/') != std::string::npos ||
                         (name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0);
    if (is_path) {
        if (file_exists(name)) return name;
        if (error) *error = "driver file not found: " + name;
        return "";
    }
    std::string tried;
    for (const std::string& dir : search_path()) {
        std::string p = dir + "/" + name + ".so";
        if (file_exists(p)) return p;
        tried += (tried.empty() ? "" : ", ") + dir;
    }
    if (error) *error = "driver '" + name + "' not found in " + (tried.empty() ? "(no driver directory)" : tried);
    return "";
}

DriverInstance* DriverLoader::load(const std::string& name_or_path, std::string* error) {
    std::string path = resolve(name_or_path, error);
    if (path.empty()) return nullptr;
    // RTLD_NOW: a driver calling a function the shim does not provide fails here, by name.
    void* dl = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        if (error) *error = std::string("cannot load driver: ") + dlerror();
        return nullptr;
    }
    auto* rec = static_cast<zx_driver_rec_t*>(dlsym(dl, "__zircon_driver_rec__"));
    auto* note = static_cast<const zircon_driver_note_payload_t*>(dlsym(dl, "__zircon_driver_note__"));
    if (!rec || !note) {
        dlclose(dl);
        if (error) *error = path + " is not a driver: no ZIRCON_DRIVER_BEGIN/END record";
        return nullptr;
    }
    if (!rec->ops || rec->ops->version != DRIVER_OPS_VERSION) {
        dlclose(dl);
        if (error) *error = path + ": zx_driver_ops_t.version is not DRIVER_OPS_VERSION";
        return nullptr;
    }
    if (!rec->ops->bind) {
        dlclose(dl);
        if (error) *error = path + ": the driver has no bind hook";
        return nullptr;
    }
    auto d = std::make_unique<DriverInstance>();
    d->dl_ = dl;
    d->rec_ = rec;
    d->note_ = note;
    // The bind program follows the payload in the note (ddk/binding.h).
    d->program_ = reinterpret_cast<const zx_bind_inst_t*>(note + 1);
    d->name_.assign(note->name, strnlen(note->name, sizeof note->name));
    d->vendor_.assign(note->vendor, strnlen(note->vendor, sizeof note->vendor));
    d->version_.assign(note->version, strnlen(note->version, sizeof note->version));
    d->path_ = path;
    d->instrumented_ = module_imports(path, "__tsan_func_entry");
    rec->driver = reinterpret_cast<zx_driver_t*>(d.get());
    drivers_.push_back(std::move(d));
    return drivers_.back().get();
}

bool DriverLoader::matches(const DriverInstance& d, unsigned slot) const {
    PciHost& pci = rt_.platform().pci();
    if (slot >= pci.device_count()) return false;
    const uint32_t id = pci.config_read(slot, 0, 4), cls = pci.config_read(slot, 8, 4);
    BindProps props{id & 0xffff, id >> 16, cls >> 24, (cls >> 16) & 0xff, (cls >> 8) & 0xff, cls & 0xff,
                    BIND_PCI_BDF_PACK(0, slot, 0)};
    return run_bind_program(d.program_, d.note_->bindcount, props);
}

zx_status_t DriverLoader::check_bind(DriverInstance& d, unsigned slot) const {
    // One driver binds to every device its program matches, each once (as the devmgr does).
    if (d.released_ || std::find(d.slots_.begin(), d.slots_.end(), slot) != d.slots_.end()) return ZX_ERR_BAD_STATE;
    if (!rt_.devices().pci_device(slot)) return ZX_ERR_NOT_FOUND;
    if (!matches(d, slot)) return ZX_ERR_NOT_SUPPORTED;
    return ZX_OK;
}

zx_status_t DriverLoader::bind_now(DriverInstance& d, unsigned slot) {
    zx_status_t st = check_bind(d, slot);
    if (st != ZX_OK) return st;
    d.slots_.push_back(slot);
    return run_bind(d, slot);
}

zx_status_t DriverLoader::bind_async(DriverInstance& d, unsigned slot) {
    zx_status_t st = check_bind(d, slot);
    if (st != ZX_OK) return st;
    d.slots_.push_back(slot);  // claimed now: a second bind fails at once
    rt_.spawn("bind_" + d.name_, &d, [this, &d, slot] { run_bind(d, slot); });
    return ZX_OK;
}

zx_status_t DriverLoader::run_bind(DriverInstance& d, unsigned slot) {
    SimThread& th = SimThread::current();
    DriverInstance* saved = th.driver;
    th.driver = &d;
    zx_status_t st = ZX_OK;
    if (!d.initialised_) {
        d.initialised_ = true;
        if (d.rec_->ops->init) st = d.rec_->ops->init(&d.ctx_);
    }
    if (st == ZX_OK) st = d.rec_->ops->bind(d.ctx_, rt_.devices().pci_device(slot));
    th.driver = saved;
    d.bind_status_ = st;
    return st;
}

zx_status_t DriverLoader::release_now(DriverInstance& d) {
    if (d.released_) return ZX_ERR_BAD_STATE;
    d.released_ = true;
    SimThread& th = SimThread::current();
    DriverInstance* saved = th.driver;
    th.driver = &d;
    DeviceManager& dm = rt_.devices();
    // The parent goes away: each device the driver added directly under it is unbound (its
    // unbind hook should device_remove() it) or removed.
    for (zx_device_t* dev : dm.devices_of(&d)) {
        if (dev->removed || (dev->parent && dev->parent->driver == &d)) continue;
        if (dev->ops && dev->ops->unbind) dev->ops->unbind(dev->ctx);
        if (!dev->removed) dm.remove(dev);
    }
    dm.flush_releases();
    if (d.initialised_ && d.rec_->ops->release) d.rec_->ops->release(d.ctx_);
    th.driver = saved;
    return ZX_OK;
}

zx_status_t DriverLoader::release_async(DriverInstance& d) {
    if (d.released_) return ZX_ERR_BAD_STATE;
    rt_.spawn("release_" + d.name_, &d, [this, &d] { release_now(d); });
    return ZX_OK;
}

}  // namespace staleline::zx

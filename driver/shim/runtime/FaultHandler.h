// FaultHandler: turns a host fault inside the shim's arena into a clear message. A driver
// built without access instrumentation that dereferences a BAR pointer (or touches a
// destroyed VMO) faults on the PROT_NONE memory there; instead of a bare SIGSEGV the process
// says what the address was and which rule was broken, then aborts. Faults elsewhere go to the
// handler installed before (ASan's, or the default).
#pragma once

namespace staleline::zx {

// Installs the SIGSEGV/SIGBUS handler once per process.
void install_fault_handler();

}  // namespace staleline::zx

// libsystemc.so refers to sc_main (its own main() calls it). Staleline's programs have
// their own main() and create the platform through the C API, so this is never called;
// it only satisfies the link.
#include <systemc>

int sc_main(int, char**) { return 0; }

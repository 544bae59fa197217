// panic() of zircon/assert.h: ZX_ASSERT, ZX_PANIC and friends end the run as a driver fault
// with their message and the line that called panic(), instead of Zircon's abort().
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ShimRuntime.h"
#include "checker/SourceLocator.h"

#include <zircon/assert.h>

using namespace staleline::zx;
using staleline::describe_call_site;

extern "C" void panic(const char* fmt, ...) {
    const void* pc = __builtin_return_address(0);
    char text[512] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
    }
    std::string msg = text;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    for (char& c : msg)
        if (c == '\n') c = ' ';
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) {
        std::fprintf(stderr, "staleline: panic: %s\n", msg.c_str());
        std::exit(EXIT_FAILURE);
    }
    rt->fault("panic: " + msg + " (panic() called at " + describe_call_site(pc) + ")");
}

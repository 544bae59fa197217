// The C handle behind sl_platform_t and the error reporting every C API file shares.
#pragma once

#include <string>

#include "platform/Platform.h"
#include "staleline/platform.h"

struct sl_platform {
    staleline::Platform* impl;
};

namespace staleline {
inline Platform& impl(sl_platform_t* p) { return *p->impl; }
// Record the error for sl_error()/sl_error_key() (thread-local). Returns -1.
int set_error(const std::string& msg, const std::string& key = "");
void clear_error();
}  // namespace staleline

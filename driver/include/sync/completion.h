/* sync/completion.h: the same header under its shorter name (lib/sync/completion.h). */
#ifndef SYNC_COMPLETION_H_
#define SYNC_COMPLETION_H_
#include <lib/sync/completion.h>
#endif

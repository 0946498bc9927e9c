/*
 * hostacl internal: what the prof/ files share. Not for use outside prof/.
 */
#ifndef HOSTACL_PROF_PROF_IMPL_H
#define HOSTACL_PROF_PROF_IMPL_H

#include <stdatomic.h>

#include "runtime/runtime.h"

/* An informational note logged once per call site. */
#define PROF_NOTE_ONCE(...)                                                                                     \
    do {                                                                                                        \
        static _Atomic int prof_noted_;                                                                         \
        if (!atomic_exchange(&prof_noted_, 1))                                                                  \
            hacl_log(ACL_INFO, __VA_ARGS__);                                                                    \
    } while (0)

#endif

/* Compiles as C11 with -Wall -Wextra -Werror: every public function is
 * referenced, so each declaration must parse and each must be defined. */
#include <stdio.h>

#include "acl/acl.h"
#include "acl/acl_prof.h"
#include "acl/acl_tdt.h"
#include "acl/acl_tdt_queue.h"
#include "acl/hacl_mempool.h"

#define HACL_API(name) (void (*)(void))name,
static void (*const all_functions[])(void) = {
#include "api_list.h"
HACL_API(haclMempoolCreate)
HACL_API(haclMempoolAcquire)
HACL_API(haclMempoolRelease)
HACL_API(haclMempoolGetInfo)
HACL_API(haclMempoolDestroy)
};
#undef HACL_API

int main(void)
{
    size_t n = sizeof all_functions / sizeof all_functions[0];
    for (size_t i = 0; i < n; i++)
        if (!all_functions[i])
            return 1;
    /* Error codes are constant expressions usable in switch. */
    switch (ACL_ERROR_RT_STREAM_SYNC_TIMEOUT) {
    case ACL_ERROR_RT_STREAM_SYNC_TIMEOUT: break;
    case ACL_SUCCESS: return 1;
    default: return 1;
    }
    printf("%zu functions referenced from C\n", n);
    return 0;
}

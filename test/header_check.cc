// Compiles as C++11 with -Wall -Wextra -Werror: every public function is
// referenced through the extern "C" declarations.
#include <cstdio>

#include "acl/acl.h"
#include "acl/acl_prof.h"
#include "acl/acl_tdt.h"
#include "acl/acl_tdt_queue.h"
#include "acl/hacl_mempool.h"

#define HACL_API(name) reinterpret_cast<void (*)()>(&name),
static void (*const all_functions[])() = {
#include "api_list.h"
HACL_API(haclMempoolCreate)
HACL_API(haclMempoolAcquire)
HACL_API(haclMempoolRelease)
HACL_API(haclMempoolGetInfo)
HACL_API(haclMempoolDestroy)
};
#undef HACL_API

static_assert(sizeof(aclmdlIODims) == 1160, "aclmdlIODims layout");
static_assert(ACL_ERROR_RT_EVENT_SYNC_TIMEOUT == 507047, "error code value");

int main()
{
    size_t n = sizeof all_functions / sizeof all_functions[0];
    for (size_t i = 0; i < n; i++)
        if (!all_functions[i])
            return 1;
    std::printf("%zu functions referenced from C++\n", n);
    return 0;
}

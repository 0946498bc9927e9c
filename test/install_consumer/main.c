/* A stand-in for an existing AscendCL application built against an
 * installed hostacl. */
#include <stdio.h>

#include "acl/acl.h"

int main(void)
{
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS)
        return 1;
    void *p = NULL;
    int ok = aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS && aclrtFree(p) == ACL_SUCCESS;
    ok = ok && aclrtResetDevice(0) == ACL_SUCCESS && aclFinalize() == ACL_SUCCESS;
    puts(ok ? "consumer ok" : "consumer FAILED");
    return ok ? 0 : 1;
}

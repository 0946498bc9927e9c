/* An application linked with libascendcl keeps the C library's malloc, and
 * the library's device memory still works (from jemalloc when built so). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

int main(void)
{
    void *(*volatile m)(size_t) = malloc;
    void (*volatile f)(void *) = free;
    Dl_info mi, fi;
    if (!dladdr((void *)m, &mi) || !dladdr((void *)f, &fi) || !mi.dli_fname || !fi.dli_fname) {
        fprintf(stderr, "dladdr failed\n");
        return 1;
    }
    /* Under a sanitizer the interceptor owns malloc; that is not jemalloc either. */
    if (strstr(mi.dli_fname, "jemalloc") || strstr(fi.dli_fname, "jemalloc")) {
        fprintf(stderr, "malloc comes from %s, free from %s\n", mi.dli_fname, fi.dli_fname);
        return 1;
    }
    void *(*g)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "malloc");
    if (!dladdr((void *)g, &mi) || strstr(mi.dli_fname, "jemalloc")) {
        fprintf(stderr, "global malloc resolves to %s\n", mi.dli_fname ? mi.dli_fname : "?");
        return 1;
    }
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS)
        return 1;
    void *d = NULL;
    if (aclrtMalloc(&d, 4096, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS)
        return 1;
    char *h = malloc(4096);
    memset(h, 7, 4096);
    int ok = aclrtMemcpy(d, 4096, h, 4096, ACL_MEMCPY_HOST_TO_DEVICE) == ACL_SUCCESS;
    free(h);
    ok = ok && aclrtFree(d) == ACL_SUCCESS && aclrtResetDevice(0) == ACL_SUCCESS && aclFinalize() == ACL_SUCCESS;
    printf("malloc from %s; device memory %s\n", mi.dli_fname, ok ? "works" : "FAILED");
    return ok ? 0 : 1;
}

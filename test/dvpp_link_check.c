/*
 * Compiles acl/ops/acl_dvpp.h as C11 (with ENABLE_DVPP_INTERFACE, as
 * applications build it) and links a reference to every function it
 * declares against -lascendcl -lacl_dvpp: each must resolve.
 */
#define ENABLE_DVPP_INTERFACE
#include <stdio.h>

#include "acl/acl.h"
#include "acl/ops/acl_dvpp.h"

typedef void (*fn)(void);
static const fn functions[] = {
#define DVPP_API(name) (fn)name,
#include "dvpp_api_list.h"
#undef DVPP_API
};

int main(void)
{
    size_t n = sizeof functions / sizeof functions[0], missing = 0;
    for (size_t i = 0; i < n; i++)
        missing += functions[i] == NULL;
    printf("dvpp link check: %zu functions, %zu missing\n", n, missing);
    return missing ? 1 : 0;
}

/*
 * hello_acl: a tour of what hostacl runs today, using only the public
 * AscendCL API: initialise, open a device, move data through device memory,
 * show the memory accounting, and show how a bad call is reported.
 */
#include <stdio.h>
#include <string.h>

#include "acl/acl.h"

#define CHECK(call)                                                                   \
    do {                                                                              \
        aclError rc_ = (call);                                                        \
        if (rc_ != ACL_SUCCESS) {                                                     \
            const char *m_ = aclGetRecentErrMsg();                                    \
            fprintf(stderr, "%s failed: %d\n%s\n", #call, rc_, m_ ? m_ : "");         \
            return 1;                                                                 \
        }                                                                             \
    } while (0)

int main(int argc, char **argv)
{
    const char *config = argc > 1 ? argv[1] : NULL;
    int32_t major, minor, patch;
    CHECK(aclInit(config));
    CHECK(aclrtGetVersion(&major, &minor, &patch));
    uint32_t ndev = 0;
    CHECK(aclrtGetDeviceCount(&ndev));
    aclrtRunMode mode;
    CHECK(aclrtGetRunMode(&mode));
    printf("hostacl: AscendCL %d.%d.%d on %s, %u device(s), run mode %s\n", major, minor, patch, aclrtGetSocName(),
           ndev, mode == ACL_HOST ? "ACL_HOST" : "ACL_DEVICE");

    CHECK(aclrtSetDevice(0));
    aclrtContext ctx;
    CHECK(aclrtCreateContext(&ctx, 0));

    size_t free0, total;
    CHECK(aclrtGetMemInfo(ACL_HBM_MEM, &free0, &total));

    enum { N = 1 << 20 };
    static float host_in[N], host_out[N];
    for (int i = 0; i < N; i++)
        host_in[i] = (float)i * 0.5f;
    void *dev_a, *dev_b;
    CHECK(aclrtMalloc(&dev_a, sizeof host_in, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc(&dev_b, sizeof host_in, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMemcpy(dev_a, sizeof host_in, host_in, sizeof host_in, ACL_MEMCPY_HOST_TO_DEVICE));
    CHECK(aclrtMemcpy(dev_b, sizeof host_in, dev_a, sizeof host_in, ACL_MEMCPY_DEVICE_TO_DEVICE));
    CHECK(aclrtMemcpy(host_out, sizeof host_out, dev_b, sizeof host_in, ACL_MEMCPY_DEVICE_TO_HOST));
    int same = memcmp(host_in, host_out, sizeof host_in) == 0;
    size_t free1;
    CHECK(aclrtGetMemInfo(ACL_HBM_MEM, &free1, &total));
    printf("round trip of %zu bytes through device memory: %s\n", sizeof host_in, same ? "identical" : "DIFFERENT");
    printf("device 0 memory: %zu bytes total, %zu in use by two buffers\n", total, free0 - free1);

    /* A mistake is reported, not fatal: a copy running past the buffer. */
    aclError rc = aclrtMemcpy(dev_a, sizeof host_in * 2, host_in, sizeof host_in * 2, ACL_MEMCPY_HOST_TO_DEVICE);
    const char *msg = aclGetRecentErrMsg();
    printf("an oversized copy returns %d: %s\n", rc, msg ? msg : "(no message)");

    CHECK(aclrtFree(dev_a));
    CHECK(aclrtFree(dev_b));
    CHECK(aclrtDestroyContext(ctx));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return same ? 0 : 1;
}

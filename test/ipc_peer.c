/*
 * The other process of the cross-process tests (test_ipc.cc): reads one
 * command per line on stdin, answers one line on stdout ("rc <code>" or a
 * value). Uses only the public API.
 *
 *   import KEY | close KEY        IPC memory
 *   sum N | fill N V              the imported memory as int32s
 *   phys HANDLE                   import a shareable handle and map it
 *   psum N | pfill N V | unmap    the mapped physical memory
 *   event HANDLE                  open an IPC event (its 64-byte handle's text)
 *   wait | record | query         on the opened event, through a stream
 *   notify KEY | nrecord | nwait  an imported notify
 *   export N V                    aclrtMalloc N int32s of V, export without pid validation: "key KEY"
 *   pid | exit
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

int main(void)
{
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS)
        return 1;
    aclrtStream s;
    if (aclrtCreateStream(&s) != ACL_SUCCESS)
        return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    char line[512], arg[256];
    int32_t *mem = NULL, *pmem = NULL;
    void *va = NULL;
    aclrtDrvMemHandle ph = NULL;
    aclrtEvent ev = NULL;
    aclrtNotify nt = NULL;
    while (fgets(line, sizeof line, stdin)) {
        long n = 0, v = 0;
        unsigned long long h = 0;
        aclError rc = ACL_SUCCESS;
        if (sscanf(line, "import %255s", arg) == 1) {
            rc = aclrtIpcMemImportByKey((void **)&mem, arg, 0);
        } else if (sscanf(line, "close %255s", arg) == 1) {
            rc = aclrtIpcMemClose(arg);
        } else if (sscanf(line, "sum %ld", &n) == 1 || sscanf(line, "psum %ld", &n) == 1) {
            int32_t *p = line[0] == 'p' ? pmem : mem, *host = calloc((size_t)n, 4);
            long long sum = 0;
            rc = aclrtMemcpy(host, (size_t)n * 4, p, (size_t)n * 4, ACL_MEMCPY_DEVICE_TO_HOST);
            for (long i = 0; i < n && rc == ACL_SUCCESS; i++)
                sum += host[i];
            free(host);
            if (rc == ACL_SUCCESS) {
                printf("sum %lld\n", sum);
                continue;
            }
        } else if (sscanf(line, "fill %ld %ld", &n, &v) == 2 || sscanf(line, "pfill %ld %ld", &n, &v) == 2) {
            int32_t *p = line[0] == 'p' ? pmem : mem, *host = malloc((size_t)n * 4);
            for (long i = 0; i < n; i++)
                host[i] = (int32_t)v;
            rc = aclrtMemcpyAsync(p, (size_t)n * 4, host, (size_t)n * 4, ACL_MEMCPY_HOST_TO_DEVICE, s);
            if (rc == ACL_SUCCESS)
                rc = aclrtSynchronizeStream(s);
            free(host);
        } else if (sscanf(line, "phys %llx", &h) == 1) {
            size_t g = 0;
            aclrtPhysicalMemProp prop = {ACL_MEM_HANDLE_TYPE_NONE, ACL_MEM_ALLOCATION_TYPE_PINNED, ACL_HBM_MEM_NORMAL,
                                         {0, ACL_MEM_LOCATION_TYPE_DEVICE}, 0};
            rc = aclrtMemImportFromShareableHandle(h, 0, &ph);
            if (rc == ACL_SUCCESS)
                rc = aclrtMemGetAllocationGranularity(&prop, ACL_RT_MEM_ALLOC_GRANULARITY_MINIMUM, &g);
            if (rc == ACL_SUCCESS)
                rc = aclrtReserveMemAddress(&va, g, 0, NULL, 0);
            if (rc == ACL_SUCCESS)
                rc = aclrtMapMem(va, g, 0, ph, 0);
            pmem = va;
        } else if (strncmp(line, "unmap", 5) == 0) {
            rc = aclrtUnmapMem(va);
            if (rc == ACL_SUCCESS)
                rc = aclrtReleaseMemAddress(va);
            if (rc == ACL_SUCCESS)
                rc = aclrtFreePhysical(ph);
        } else if (sscanf(line, "event %255s", arg) == 1) {
            aclrtIpcEventHandle eh;
            memset(&eh, 0, sizeof eh);
            snprintf(eh.reserved, sizeof eh.reserved, "%.63s", arg);
            rc = aclrtIpcOpenEventHandle(eh, &ev);
        } else if (strncmp(line, "wait", 4) == 0) {
            rc = aclrtStreamWaitEvent(s, ev);
            if (rc == ACL_SUCCESS)
                rc = aclrtSynchronizeStream(s);
        } else if (strncmp(line, "record", 6) == 0) {
            rc = aclrtRecordEvent(ev, s);
            if (rc == ACL_SUCCESS)
                rc = aclrtSynchronizeStream(s);
        } else if (strncmp(line, "query", 5) == 0) {
            aclrtEventRecordedStatus st;
            rc = aclrtQueryEventStatus(ev, &st);
            if (rc == ACL_SUCCESS) {
                printf("status %d\n", (int)st);
                continue;
            }
        } else if (sscanf(line, "notify %255s", arg) == 1) {
            rc = aclrtNotifyImportByKey(&nt, arg, 0);
        } else if (strncmp(line, "nrecord", 7) == 0) {
            rc = aclrtRecordNotify(nt, s);
            if (rc == ACL_SUCCESS)
                rc = aclrtSynchronizeStream(s);
        } else if (strncmp(line, "nwait", 5) == 0) {
            rc = aclrtWaitAndResetNotify(nt, s, 0);
            if (rc == ACL_SUCCESS)
                rc = aclrtSynchronizeStream(s);
        } else if (sscanf(line, "export %ld %ld", &n, &v) == 2) {
            int32_t *host = malloc((size_t)n * 4);
            void *d = NULL;
            char key[128];
            for (long i = 0; i < n; i++)
                host[i] = (int32_t)v;
            rc = aclrtMalloc(&d, (size_t)n * 4, ACL_MEM_MALLOC_HUGE_FIRST);
            if (rc == ACL_SUCCESS)
                rc = aclrtMemcpy(d, (size_t)n * 4, host, (size_t)n * 4, ACL_MEMCPY_HOST_TO_DEVICE);
            if (rc == ACL_SUCCESS)
                rc = aclrtIpcMemGetExportKey(d, (size_t)n * 4, key, sizeof key,
                                             ACL_RT_IPC_MEM_EXPORT_FLAG_DISABLE_PID_VALIDATION);
            free(host);
            if (rc == ACL_SUCCESS) {
                printf("key %s\n", key);
                continue;
            }
        } else if (strncmp(line, "pid", 3) == 0) {
            int32_t pid = 0;
            rc = aclrtDeviceGetBareTgid(&pid);
            printf("pid %d\n", (int)pid);
            continue;
        } else if (strncmp(line, "exit", 4) == 0) {
            break;
        } else {
            printf("unknown\n");
            continue;
        }
        printf("rc %d\n", (int)rc);
        if (rc != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
    }
    if (ev)
        aclrtDestroyEvent(ev);
    if (nt)
        aclrtDestroyNotify(nt);
    aclrtDestroyStream(s);
    aclrtResetDevice(0);
    aclFinalize();
    return 0;
}

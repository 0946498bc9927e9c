/*
 * libFuzzer target: arbitrary bytes as the keys and handles other
 * processes pass around (IPC memory keys, notify keys, IPC event handles,
 * shareable physical-memory handles, both V2 forms). Each must be refused
 * with an error or name memory this process can use; nothing may crash,
 * hang, leak or map memory that is not hostacl's. The first input of each
 * run also exports real objects, so mutated keys land near live slots.
 *
 * Build: cmake --preset fuzz && cmake --build --preset fuzz
 * Run:   build-fuzz/test/fuzz/fuzz_ipc_keys -max_total_time=600
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keys and handles of the live objects, for inputs to mutate. */
static char live_mem[128], live_notify[128];
static aclrtIpcEventHandle live_event;
static uint64_t live_phys;

static void setup_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS)
        abort();
    /* live objects to aim at: a memory key, a notify, an IPC event, physical memory */
    void *d = NULL;
    if (aclrtMalloc(&d, 1 << 16, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS ||
        aclrtIpcMemGetExportKey(d, 1 << 16, live_mem, sizeof live_mem, 1) != ACL_SUCCESS)
        abort();
    aclrtNotify n;
    if (aclrtCreateNotify(&n, 0) != ACL_SUCCESS ||
        aclrtNotifyGetExportKey(n, live_notify, sizeof live_notify, 2) != ACL_SUCCESS)
        abort();
    aclrtEvent e;
    if (aclrtCreateEventExWithFlag(&e, ACL_EVENT_IPC) != ACL_SUCCESS ||
        aclrtIpcGetEventHandle(e, &live_event) != ACL_SUCCESS)
        abort();
    aclrtPhysicalMemProp prop = {ACL_MEM_HANDLE_TYPE_NONE, ACL_MEM_ALLOCATION_TYPE_PINNED, ACL_HBM_MEM_NORMAL,
                                 {0, ACL_MEM_LOCATION_TYPE_DEVICE}, 0};
    aclrtDrvMemHandle ph;
    uint64_t sh;
    if (aclrtMallocPhysical(&ph, 2 << 20, &prop, 0) != ACL_SUCCESS ||
        aclrtMemExportToShareableHandle(ph, ACL_MEM_HANDLE_TYPE_NONE, 1, &sh) != ACL_SUCCESS)
        abort();
    live_phys = sh;
    if (getenv("HACL_FUZZ_VERBOSE"))
        fprintf(stderr, "live: %s %s %016llx\n", live_mem, live_notify, (unsigned long long)sh);
}

/* The input as text: raw (first byte even), or a live key with bytes
 * overwritten at positions the input names (odd), so mutations stay near
 * real slots, nonces and pids. */
static void input_text(const uint8_t *data, size_t size, const char *live, char *text, size_t cap)
{
    if (size == 0 || data[0] % 2 == 0) {
        size_t n = size < cap - 1 ? size : cap - 1;
        memcpy(text, data, n);
        text[n] = '\0';
        return;
    }
    snprintf(text, cap, "%s", live);
    size_t len = strlen(text);
    for (size_t i = 1; i + 1 < size && len; i += 2)
        text[data[i] % len] = (char)data[i + 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    char text[96], ntext[96];
    input_text(data, size, live_mem, text, sizeof text);
    input_text(data, size, live_notify, ntext, sizeof ntext);
    /* keys as text */
    void *p = NULL;
    if (aclrtIpcMemImportByKey(&p, text, 0) == ACL_SUCCESS) {
        volatile unsigned char c = *(unsigned char *)p; /* it must be readable memory */
        (void)c;
        if (aclrtIpcMemClose(text) != ACL_SUCCESS)
            abort();
    }
    aclrtNotify nt = NULL;
    if (aclrtNotifyImportByKey(&nt, ntext, 0) == ACL_SUCCESS && aclrtDestroyNotify(nt) != ACL_SUCCESS)
        abort();
    /* an event handle: the bytes as they come */
    aclrtIpcEventHandle h;
    memset(&h, 0, sizeof h);
    if (size && data[0] % 2) /* a live handle, mutated */
        input_text(data, size, live_event.reserved, h.reserved, sizeof h.reserved);
    else
        memcpy(h.reserved, data, size < sizeof h.reserved ? size : sizeof h.reserved);
    aclrtEvent ev = NULL;
    if (aclrtIpcOpenEventHandle(h, &ev) == ACL_SUCCESS) {
        aclrtEventRecordedStatus st;
        (void)aclrtQueryEventStatus(ev, &st);
        if (aclrtDestroyEvent(ev) != ACL_SUCCESS)
            abort();
    }
    /* 64-bit shareable handles and the fabric form */
    uint64_t v = 0;
    memcpy(&v, data, size < sizeof v ? size : sizeof v);
    if (size && data[0] % 2) /* near the live handle: flip the input's bits into it */
        v ^= live_phys & ~(uint64_t)0xff;
    aclrtDrvMemHandle ph = NULL;
    if (aclrtMemImportFromShareableHandle(v, 0, &ph) == ACL_SUCCESS && aclrtFreePhysical(ph) != ACL_SUCCESS)
        abort();
    aclrtMemFabricHandle fab;
    memset(&fab, 0, sizeof fab);
    memcpy(fab.data, data, size < sizeof fab.data ? size : sizeof fab.data);
    if (aclrtMemImportFromShareableHandleV2(&fab, ACL_MEM_SHARE_HANDLE_TYPE_FABRIC, 0, &ph) == ACL_SUCCESS &&
        aclrtFreePhysical(ph) != ACL_SUCCESS)
        abort();
    int32_t pid = 1;
    (void)aclrtIpcMemSetImportPid(text, &pid, 1);
    (void)aclrtMemSetPidToShareableHandle(v, &pid, 1);
    (void)aclGetRecentErrMsg();
    return 0;
}

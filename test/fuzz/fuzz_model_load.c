/*
 * libFuzzer target: arbitrary bytes through aclmdlLoadFromMem and, when they
 * load, through every description call. Nothing may crash, hang or leak.
 *
 * Build: cmake --preset fuzz && cmake --build --preset fuzz
 * Run:   build-fuzz/test/fuzz/fuzz_model_load test/fuzz/corpus -max_total_time=1800
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>

#include "acl/acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setenv("ASCEND_GLOBAL_LOG_LEVEL", "4", 1);
        if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS)
            abort();
        ready = 1;
    }
    uint32_t id;
    if (aclmdlLoadFromMem(data, size, &id) == ACL_SUCCESS) {
        aclmdlDesc *d = aclmdlCreateDesc();
        if (!d || aclmdlGetDesc(d, id) != ACL_SUCCESS)
            abort();
        aclmdlIODims dims;
        for (size_t i = 0; i < aclmdlGetNumInputs(d); i++) {
            (void)aclmdlGetInputSizeByIndex(d, i);
            (void)aclmdlGetInputDims(d, i, &dims);
            (void)aclmdlGetInputNameByIndex(d, i);
            (void)aclmdlGetInputDataType(d, i);
        }
        for (size_t i = 0; i < aclmdlGetNumOutputs(d); i++) {
            (void)aclmdlGetOutputSizeByIndex(d, i);
            (void)aclmdlGetOutputDims(d, i, &dims);
        }
        aclmdlDestroyDesc(d);
        if (aclmdlUnload(id) != ACL_SUCCESS)
            abort();
    }
    (void)aclGetRecentErrMsg();
    return 0;
}

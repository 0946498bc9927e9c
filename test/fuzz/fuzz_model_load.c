/*
 * libFuzzer target: arbitrary bytes through aclmdlLoadFromMem and, when they
 * load, through every description call and, when the model is small, one
 * execution on patterned inputs (a model that loads must never crash at
 * execution; bad data may only fail it with an error). Nothing may crash,
 * hang or leak. HACL_FUZZ_VERBOSE=1 prints what each input reached.
 *
 * Build: cmake --preset fuzz && cmake --build --preset fuzz
 * Run:   build-fuzz/test/fuzz/fuzz_model_load test/fuzz/corpus -max_total_time=1800
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Executes a loaded model once when its inputs, outputs and work memory
 * are small; inputs hold a byte pattern (integers of every size, some
 * negative, some out of any range). Returns the execution's result, or -1
 * when the model is too large to run here. */
static int execute_small(uint32_t id, aclmdlDesc *d, const uint8_t *data, size_t size)
{
    size_t work = 0, weight = 0, total = 0;
    if (aclmdlQuerySizeFromMem(data, size, &work, &weight) != ACL_SUCCESS || work > (16u << 20))
        return -1;
    size_t nin = aclmdlGetNumInputs(d), nout = aclmdlGetNumOutputs(d);
    for (size_t i = 0; i < nin; i++)
        total += aclmdlGetInputSizeByIndex(d, i);
    for (size_t i = 0; i < nout; i++)
        total += aclmdlGetOutputSizeByIndex(d, i);
    if (total > (1u << 20))
        return -1;
    aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
    for (size_t k = 0; k < nin + nout; k++) {
        size_t sz = k < nin ? aclmdlGetInputSizeByIndex(d, k) : aclmdlGetOutputSizeByIndex(d, k - nin);
        void *p = NULL;
        if (aclrtMalloc(&p, sz ? sz : 1, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS)
            abort();
        if (k < nin)
            for (size_t b = 0; b < sz; b++)
                ((uint8_t *)p)[b] = (uint8_t)(b % 8 == 0 ? (b / 8) % 5 : b % 8 == 6 ? b * 29 : b % 8 == 7 ? (b % 3 ? 0 : 0xff) : 0);
        aclmdlAddDatasetBuffer(k < nin ? in : out, aclCreateDataBuffer(p, sz));
    }
    int rc = aclmdlExecute(id, in, out);
    for (int side = 0; side < 2; side++) {
        aclmdlDataset *ds = side ? out : in;
        for (size_t k = 0; k < aclmdlGetDatasetNumBuffers(ds); k++) {
            aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, k);
            aclrtFree(aclGetDataBufferAddr(b));
            aclDestroyDataBuffer(b);
        }
        aclmdlDestroyDataset(ds);
    }
    return rc;
}

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
    /* Models that legitimately need gigabytes (a Pad of millions along an
     * axis) would only measure the machine: they are sized, not loaded. */
    size_t work = 0, weight = 0;
    if (aclmdlQuerySizeFromMem(data, size, &work, &weight) == ACL_SUCCESS && work + weight > (256u << 20))
        return 0;
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
        int ran = execute_small(id, d, data, size);
        if (getenv("HACL_FUZZ_VERBOSE"))
            fprintf(stderr, "loaded; execution: %d %s\n", ran, ran > 0 ? aclGetRecentErrMsg() : "");
        aclmdlDestroyDesc(d);
        if (aclmdlUnload(id) != ACL_SUCCESS)
            abort();
    } else if (getenv("HACL_FUZZ_VERBOSE")) {
        fprintf(stderr, "refused: %s\n", aclGetRecentErrMsg());
    }
    (void)aclGetRecentErrMsg();
    return 0;
}

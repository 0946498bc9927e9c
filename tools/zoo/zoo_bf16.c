/*
 * hacl-zoo-bf16: how far allow_bf16 moves a model's answers. Loads one
 * model twice through the public API (force_fp32 and allow_bf16, per model
 * with aclmdlLoadWithConfig), runs both on N generated inputs (standard
 * normal values, a fixed seed per input) and prints one JSON line: top-1
 * agreement and the worst relative L2 distance of the first output.
 *
 *   hacl-zoo-bf16 MODEL.onnx [N]      (N: default 100)
 *
 * Exits 0 when it ran, 1 otherwise; judging is the caller's.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/hacl_model.h"

static uint32_t load(const char *path, const char *mode)
{
    aclmdlConfigHandle *cfg = aclmdlCreateConfigHandle();
    size_t type = ACL_MDL_LOAD_FROM_FILE;
    uint32_t id = UINT32_MAX;
    if (cfg && aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type) == ACL_SUCCESS &&
        aclmdlSetConfigOpt(cfg, ACL_MDL_PATH_PTR, &path, sizeof path) == ACL_SUCCESS &&
        aclmdlSetConfigOpt(cfg, HACL_MDL_PRECISION_MODE_PTR, &mode, sizeof mode) == ACL_SUCCESS &&
        aclmdlLoadWithConfig(cfg, &id) != ACL_SUCCESS)
        id = UINT32_MAX;
    if (cfg)
        aclmdlDestroyConfigHandle(cfg);
    return id;
}

/* A dataset of fresh device buffers of the sizes desc gives. */
static aclmdlDataset *buffers(aclmdlDesc *desc, int inputs)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    size_t n = inputs ? aclmdlGetNumInputs(desc) : aclmdlGetNumOutputs(desc);
    for (size_t i = 0; ds && i < n; i++) {
        size_t sz = inputs ? aclmdlGetInputSizeByIndex(desc, i) : aclmdlGetOutputSizeByIndex(desc, i);
        void *p = NULL;
        if (aclrtMalloc(&p, sz ? sz : 1, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS)
            return NULL;
        aclmdlAddDatasetBuffer(ds, aclCreateDataBuffer(p, sz));
    }
    return ds;
}

static void release(aclmdlDataset *ds)
{
    for (size_t i = 0; ds && i < aclmdlGetDatasetNumBuffers(ds); i++) {
        aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
        aclrtFree(aclGetDataBufferAddr(b));
        aclDestroyDataBuffer(b);
    }
    if (ds)
        aclmdlDestroyDataset(ds);
}

/* xorshift and Box-Muller: the same inputs on every machine */
static uint64_t rng_state;
static double uniform(void)
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: hacl-zoo-bf16 MODEL.onnx [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 100;
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS)
        return 1;
    uint32_t f32 = load(argv[1], "force_fp32"), b16 = load(argv[1], "allow_bf16");
    aclmdlDesc *desc = aclmdlCreateDesc();
    if (f32 == UINT32_MAX || b16 == UINT32_MAX || !desc || aclmdlGetDesc(desc, f32) != ACL_SUCCESS ||
        aclmdlGetNumInputs(desc) != 1 || aclmdlGetInputDataType(desc, 0) != ACL_FLOAT) {
        printf("{\"model\": \"%s\", \"ok\": false, \"error\": \"%s\"}\n", argv[1], aclGetRecentErrMsg());
        return 1;
    }
    aclmdlDataset *in = buffers(desc, 1), *oa = buffers(desc, 0), *ob = buffers(desc, 0);
    size_t isz = aclmdlGetInputSizeByIndex(desc, 0), osz = aclmdlGetOutputSizeByIndex(desc, 0);
    size_t ni = isz / 4, no = osz / 4;
    float *x = malloc(isz), *a = malloc(osz), *b = malloc(osz);
    int agree = 0, runs = 0;
    double worst = 0;
    for (int k = 0; in && oa && ob && x && a && b && k < n; k++) {
        rng_state = 0x9e3779b97f4a7c15ull * (uint64_t)(k + 1);
        for (size_t i = 0; i < ni; i++)
            x[i] = (float)(sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform()));
        void *dx = aclGetDataBufferAddr(aclmdlGetDatasetBuffer(in, 0));
        if (aclrtMemcpy(dx, isz, x, isz, ACL_MEMCPY_HOST_TO_DEVICE) != ACL_SUCCESS ||
            aclmdlExecute(f32, in, oa) != ACL_SUCCESS || aclmdlExecute(b16, in, ob) != ACL_SUCCESS ||
            aclrtMemcpy(a, osz, aclGetDataBufferAddr(aclmdlGetDatasetBuffer(oa, 0)), osz,
                        ACL_MEMCPY_DEVICE_TO_HOST) != ACL_SUCCESS ||
            aclrtMemcpy(b, osz, aclGetDataBufferAddr(aclmdlGetDatasetBuffer(ob, 0)), osz,
                        ACL_MEMCPY_DEVICE_TO_HOST) != ACL_SUCCESS)
            break;
        double num = 0, den = 0;
        size_t ia = 0, ib = 0;
        for (size_t i = 0; i < no; i++) {
            num += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            den += (double)a[i] * a[i];
            ia = a[i] > a[ia] ? i : ia;
            ib = b[i] > b[ib] ? i : ib;
        }
        worst = fmax(worst, den > 0 ? sqrt(num / den) : sqrt(num));
        agree += ia == ib;
        runs++;
    }
    printf("{\"model\": \"%s\", \"ok\": %s, \"inputs\": %d, \"top1_agree\": %d, \"worst_rel_l2\": %.4g}\n", argv[1],
           runs == n ? "true" : "false", runs, agree, worst);
    free(x), free(a), free(b);
    release(in), release(oa), release(ob);
    aclmdlDestroyDesc(desc);
    aclmdlUnload(f32);
    aclmdlUnload(b16);
    aclrtResetDevice(0);
    aclFinalize();
    return runs == n ? 0 : 1;
}

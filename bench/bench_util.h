/*
 * What every bench program shares: failing loudly on an aclError, a
 * monotonic clock, sorting doubles, the process's peak resident memory and
 * freeing a dataset with its device buffers.
 * Header-only (each bench is one .c file linked to the public library).
 */
#ifndef HOSTACL_BENCH_UTIL_H
#define HOSTACL_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"

/* Runs an AscendCL call; on failure prints where, the code and the recent
 * error message, and exits with status 1. */
#define CHECK(call)                                                                                  \
    do {                                                                                             \
        aclError rc_ = (call);                                                                       \
        if (rc_ != ACL_SUCCESS) {                                                                    \
            const char *m_ = aclGetRecentErrMsg();                                                   \
            fprintf(stderr, "%s:%d %s failed: %d %s\n", __FILE__, __LINE__, #call, rc_, m_ ? m_ : ""); \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double now_us(void)
{
    return now_s() * 1e6;
}

/* The CPU's model name (first "model name" line of /proc/cpuinfo). */
static inline const char *cpu_name(char *buf, size_t n)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(buf, n, "unknown");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            const char *c = strchr(line, ':');
            c = c ? c + 2 : line;
            size_t k = strcspn(c, "\n");
            if (k >= n)
                k = n - 1;
            memcpy(buf, c, k);
            buf[k] = '\0';
            break;
        }
    if (f)
        fclose(f);
    return buf;
}

/* qsort comparator for doubles, ascending. */
static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The process's peak resident set in KiB (VmHWM), or -1. */
static inline long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* A dataset of zero-filled device buffers for a model's inputs (or
 * outputs); CHECK aborts on failure. */
static inline aclmdlDataset *zero_dataset(aclmdlDesc *d, int inputs)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    size_t n = inputs ? aclmdlGetNumInputs(d) : aclmdlGetNumOutputs(d);
    for (size_t i = 0; i < n; i++) {
        size_t size = inputs ? aclmdlGetInputSizeByIndex(d, i) : aclmdlGetOutputSizeByIndex(d, i);
        size_t alloc = size ? size : 1;
        void *dev;
        CHECK(aclrtMalloc(&dev, alloc, ACL_MEM_MALLOC_HUGE_FIRST));
        CHECK(aclrtMemset(dev, alloc, 0, alloc));
        CHECK(aclmdlAddDatasetBuffer(ds, aclCreateDataBuffer(dev, size)));
    }
    return ds;
}

/* Frees a dataset, its buffers and their device memory. */
static inline void free_dataset(aclmdlDataset *ds)
{
    for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); i++) {
        aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
        aclrtFree(aclGetDataBufferAddr(b));
        aclDestroyDataBuffer(b);
    }
    aclmdlDestroyDataset(ds);
}

#endif

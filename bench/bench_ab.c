/*
 * bench_ab: compare two ways of loading one model inside one process, so
 * both see the same machine at the same moments (the development machines
 * are shared; runs minutes apart differ by 15%).
 *
 * Each variant is a list of NAME=VALUE environment settings applied just
 * before its aclmdlLoadFromFile (hostacl reads its HOSTACL_* settings at
 * load), then removed again. The variants then run alternately: each round
 * runs A then B, or B then A on odd rounds, ITERS executions each, and every
 * execution's time is kept. Prints JSON: per variant the median execution
 * time, the median of per-round images/s and the load time; and the ratio
 * B/A of the round medians.
 *
 * Usage: bench_ab MODEL [--rounds R] [--iters N] [--a "K=V K=V"] [--b "K=V"]
 * Only the public API is used.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "bench_util.h"

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Applies (set=1) or removes (set=0) "K=V K=V ..." settings. */
static void apply_env(const char *spec, int set)
{
    char *copy = strdup(spec ? spec : ""), *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (set)
            setenv(tok, eq + 1, 1);
        else
            unsetenv(tok);
    }
    free(copy);
}

struct variant {
    const char *env;
    uint32_t id;
    aclmdlDataset *in, *out;
    double load_s;
    double *exec_s;  /* every execution */
    double *round_s; /* per round: images/s */
    int nexec;
};

/* Zero-filled buffers; inputs then get a fixed pseudo-random pattern. */
static aclmdlDataset *make_dataset(aclmdlDesc *d, int inputs)
{
    aclmdlDataset *ds = zero_dataset(d, inputs);
    for (size_t i = 0; inputs && i < aclmdlGetDatasetNumBuffers(ds); i++) {
        aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
        size_t size = aclGetDataBufferSizeV2(b);
        float *host = malloc(size ? size : 1);
        for (size_t k = 0; k < size / sizeof(float); k++)
            host[k] = (float)((k * 2654435761u) % 1000) / 1000.0f - 0.5f;
        CHECK(aclrtMemcpy(aclGetDataBufferAddr(b), size, host, size / sizeof(float) * sizeof(float),
                          ACL_MEMCPY_HOST_TO_DEVICE));
        free(host);
    }
    return ds;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ab MODEL [--rounds R] [--iters N] [--a \"K=V ...\"] [--b \"K=V ...\"]\n");
        return 2;
    }
    const char *path = argv[1];
    int rounds = 10, iters = 5;
    struct variant v[2] = {{.env = ""}, {.env = ""}};
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--rounds"))
            rounds = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--iters"))
            iters = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--a"))
            v[0].env = argv[i + 1];
        else if (!strcmp(argv[i], "--b"))
            v[1].env = argv[i + 1];
    }
    if (rounds < 1 || iters < 1) {
        fprintf(stderr, "bench_ab: rounds and iters must be positive\n");
        return 2;
    }
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    int64_t batch = 1;
    for (int k = 0; k < 2; k++) {
        apply_env(v[k].env, 1);
        double t0 = now_s();
        CHECK(aclmdlLoadFromFile(path, &v[k].id));
        v[k].load_s = now_s() - t0;
        apply_env(v[k].env, 0);
        aclmdlDesc *d = aclmdlCreateDesc();
        CHECK(aclmdlGetDesc(d, v[k].id));
        aclmdlIODims dims;
        if (aclmdlGetInputDims(d, 0, &dims) == ACL_SUCCESS && dims.dimCount > 0 && dims.dims[0] > 0)
            batch = dims.dims[0];
        v[k].in = make_dataset(d, 1);
        v[k].out = make_dataset(d, 0);
        aclmdlDestroyDesc(d);
        v[k].exec_s = calloc((size_t)(rounds * iters), sizeof(double));
        v[k].round_s = calloc((size_t)rounds, sizeof(double));
        for (int w = 0; w < 2; w++) /* warm-up */
            CHECK(aclmdlExecute(v[k].id, v[k].in, v[k].out));
    }
    for (int r = 0; r < rounds; r++)
        for (int j = 0; j < 2; j++) {
            struct variant *x = &v[(r + j) % 2];
            double r0 = now_s();
            for (int i = 0; i < iters; i++) {
                double t0 = now_s();
                CHECK(aclmdlExecute(x->id, x->in, x->out));
                x->exec_s[x->nexec++] = now_s() - t0;
            }
            x->round_s[r] = (double)(iters * batch) / (now_s() - r0);
        }
    double ips[2];
    printf("{\"model\": \"%s\", \"rounds\": %d, \"iters\": %d", path, rounds, iters);
    for (int k = 0; k < 2; k++) {
        ips[k] = median(v[k].round_s, rounds);
        printf(", \"%c\": {\"env\": \"%s\", \"load_s\": %.3f, \"exec_ms_p50\": %.3f, \"images_per_s\": %.2f}",
               'a' + k, v[k].env, v[k].load_s, 1e3 * median(v[k].exec_s, v[k].nexec), ips[k]);
    }
    /* per-round ratios: the fairest comparison on a noisy machine */
    double *ratio = calloc((size_t)rounds, sizeof(double));
    for (int r = 0; r < rounds; r++)
        ratio[r] = v[1].round_s[r] / v[0].round_s[r];
    printf(", \"b_over_a\": %.4f, \"b_over_a_round_median\": %.4f}\n", ips[1] / ips[0], median(ratio, rounds));
    free(ratio);
    for (int k = 0; k < 2; k++) {
        free_dataset(v[k].in);
        free_dataset(v[k].out);
        free(v[k].exec_s);
        free(v[k].round_s);
        CHECK(aclmdlUnload(v[k].id));
    }
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}

/*
 * bench_model: how fast a model runs, printed as JSON.
 *
 * Loads the model (timed), then S streams, each with its own submitting
 * thread, run it: aclmdlExecuteAsync + aclrtSynchronizeStream per
 * execution, so each execution's latency is measured from submission to
 * completion. Timing starts once every stream has finished its warm-up.
 * Reports images/s over all streams (images = the first input's batch dim
 * per execution), latency p50/p99 and the peak resident memory.
 *
 * Usage: bench_model MODEL [--iters N] [--warmup W] [--streams S]
 *                          [--input FILE] [--output FILE] [--serve]
 * --input: raw bytes for input 0 (default: the values bench/ort_bench.js
 * feeds ONNX Runtime); --output:
 * writes output 0 of the first execution. Only the public API is used.
 *
 * --serve (one stream): after loading and warming up, prints
 * {"ready": ..., "load_s": ...} and then takes commands on stdin, one per
 * line: a number N runs one untimed execution (the first after a pause
 * pays for threads waking and cold caches, up to 2x) and then N timed ones,
 * and prints {"n": N, "s": seconds, "lat_ms": [...]}; "q" or the end of
 * input prints the peak memory and
 * exits. bench/zoo uses it to take turns with ONNX Runtime (the same mode
 * of bench/ort_bench.js) in short slices, so both see the same moments of
 * a shared machine.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "bench_util.h"

static aclrtContext ctx;
static uint32_t model;
static aclmdlDesc *desc;
static int iters = 50, warmup = 3;
static pthread_barrier_t warmed;
static const char *input_file, *output_file;

struct worker {
    pthread_t th;
    double *lat;
    double start, end;
};

static void *make_buffer(size_t size, const void *init, size_t init_len)
{
    void *dev;
    CHECK(aclrtMalloc(&dev, size, ACL_MEM_MALLOC_HUGE_FIRST));
    unsigned char *host = malloc(size);
    for (size_t i = 0; i < size; i++)
        host[i] = i < init_len ? ((const unsigned char *)init)[i] : 0;
    CHECK(aclrtMemcpy(dev, size, host, size, ACL_MEMCPY_HOST_TO_DEVICE));
    free(host);
    return dev;
}

static aclmdlDataset *dataset(int outputs, void **first)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    size_t n = outputs ? aclmdlGetNumOutputs(desc) : aclmdlGetNumInputs(desc);
    for (size_t i = 0; i < n; i++) {
        size_t size = outputs ? aclmdlGetOutputSizeByIndex(desc, i) : aclmdlGetInputSizeByIndex(desc, i);
        void *init = NULL;
        size_t init_len = 0;
        unsigned char *pattern = NULL;
        if (!outputs && i == 0 && input_file) {
            FILE *f = fopen(input_file, "rb");
            pattern = calloc(1, size);
            init_len = f ? fread(pattern, 1, size, f) : 0;
            if (f)
                fclose(f);
            init = pattern;
        } else if (!outputs && aclmdlGetInputDataType(desc, i) == ACL_FLOAT) {
            /* The values bench/ort_bench.js feeds ONNX Runtime: the same
             * input on both sides (-0.5 .. 0.48, no denormals). */
            pattern = malloc(size);
            float *v = (float *)pattern;
            for (size_t k = 0; k < size / sizeof(float); k++)
                v[k] = (float)((k * 7) % 60) / 60.0f - 0.5f;
            init = pattern;
            init_len = size / sizeof(float) * sizeof(float);
        } else if (!outputs) {
            /* Other types: bytes 0x00..0x3b (small float16 values). */
            pattern = malloc(size);
            for (size_t k = 0; k < size; k++)
                pattern[k] = (unsigned char)((k * 7) % 60);
            init = pattern;
            init_len = size;
        }
        void *dev = make_buffer(size, init, init_len);
        free(pattern);
        if (i == 0 && first)
            *first = dev;
        CHECK(aclmdlAddDatasetBuffer(ds, aclCreateDataBuffer(dev, size)));
    }
    return ds;
}

/* One execution, submitted and waited for. */
static void execute(aclmdlDataset *in, aclmdlDataset *out, aclrtStream s)
{
    CHECK(aclmdlExecuteAsync(model, in, out, s));
    CHECK(aclrtSynchronizeStream(s));
}

static void *run(void *arg)
{
    struct worker *w = arg;
    CHECK(aclrtSetCurrentContext(ctx));
    aclrtStream s;
    CHECK(aclrtCreateStream(&s));
    void *out0 = NULL;
    aclmdlDataset *in = dataset(0, NULL), *out = dataset(1, &out0);
    for (int i = 0; i < warmup; i++) {
        execute(in, out, s);
        if (i == 0 && output_file && w->lat == ((struct worker *)arg)->lat) {
            size_t size = aclmdlGetOutputSizeByIndex(desc, 0);
            void *host = malloc(size);
            CHECK(aclrtMemcpy(host, size, out0, size, ACL_MEMCPY_DEVICE_TO_HOST));
            FILE *f = fopen(output_file, "wb");
            if (f) {
                fwrite(host, 1, size, f);
                fclose(f);
            }
            free(host);
            output_file = NULL;
        }
    }
    /* Every stream has warmed up before any is timed: a warm-up running
     * inside another stream's timed window would be time without images. */
    pthread_barrier_wait(&warmed);
    w->start = now_s();
    for (int i = 0; i < iters; i++) {
        double t0 = now_s();
        execute(in, out, s);
        w->lat[i] = now_s() - t0;
    }
    w->end = now_s();
    free_dataset(in);
    free_dataset(out);
    CHECK(aclrtDestroyStream(s));
    return NULL;
}

/* --serve: executions in slices, on command (see the top of this file) */
static void serve(double load_s, long batch)
{
    aclrtStream s;
    CHECK(aclrtCreateStream(&s));
    aclmdlDataset *in = dataset(0, NULL), *out = dataset(1, NULL);
    for (int i = 0; i < warmup; i++) {
        execute(in, out, s);
    }
    printf("{\"ready\": 1, \"batch\": %ld, \"load_s\": %.3f}\n", batch, load_s);
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, stdin) && line[0] != 'q') {
        long n = strtol(line, NULL, 10);
        if (n < 1 || n > 100000)
            n = 1;
        double *lat = malloc((size_t)n * sizeof(double));
        execute(in, out, s);
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            double t = now_s();
            execute(in, out, s);
            lat[i] = now_s() - t;
        }
        double secs = now_s() - t0;
        printf("{\"n\": %ld, \"s\": %.6f, \"lat_ms\": [", n, secs);
        for (long i = 0; i < n; i++)
            printf("%s%.3f", i ? ", " : "", lat[i] * 1e3);
        printf("]}\n");
        fflush(stdout);
        free(lat);
    }
    printf("{\"peak_rss_mb\": %.1f}\n", (double)peak_rss_kb() / 1024.0);
    fflush(stdout);
    free_dataset(in);
    free_dataset(out);
    CHECK(aclrtDestroyStream(s));
}

/* S streams, each on its own thread, timed together: one JSON line */
static void measure(const char *path, int streams, double load_s, long batch)
{
    struct worker *w = calloc((size_t)streams, sizeof *w);
    pthread_barrier_init(&warmed, NULL, (unsigned)streams);
    for (int i = 0; i < streams; i++) {
        w[i].lat = calloc((size_t)iters, sizeof(double));
        pthread_create(&w[i].th, NULL, run, &w[i]);
    }
    double start = 1e300, end = 0;
    double *all = calloc((size_t)(iters * streams), sizeof(double));
    for (int i = 0; i < streams; i++) {
        pthread_join(w[i].th, NULL);
        start = w[i].start < start ? w[i].start : start;
        end = w[i].end > end ? w[i].end : end;
        memcpy(all + (size_t)i * (size_t)iters, w[i].lat, (size_t)iters * sizeof(double));
        free(w[i].lat);
    }
    qsort(all, (size_t)(iters * streams), sizeof(double), cmp_double);
    size_t n = (size_t)(iters * streams);
    double images = (double)n * (double)batch;
    printf("{\"model\": \"%s\", \"batch\": %ld, \"streams\": %d, \"executions\": %zu, \"load_s\": %.3f, "
           "\"images_per_s\": %.2f, \"latency_ms\": {\"p50\": %.2f, \"p99\": %.2f}, \"peak_rss_mb\": %.1f}\n",
           path, batch, streams, n, load_s, images / (end - start), all[n / 2] * 1e3,
           all[(size_t)(0.99 * (double)(n - 1) + 0.5)] * 1e3, (double)peak_rss_kb() / 1024.0);
    free(all);
    free(w);
    pthread_barrier_destroy(&warmed);
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int streams = 1, serving = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc)
            iters = atoi(argv[++i]);
        else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc)
            warmup = atoi(argv[++i]);
        else if (strcmp(argv[i], "--streams") == 0 && i + 1 < argc)
            streams = atoi(argv[++i]);
        else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc)
            input_file = argv[++i];
        else if (strcmp(argv[i], "--output") == 0 && i + 1 < argc)
            output_file = argv[++i];
        else if (strcmp(argv[i], "--serve") == 0)
            serving = 1;
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "usage: bench_model MODEL [--iters N] [--warmup W] [--streams S] [--input F] [--output F] [--serve]\n");
            return 2;
        }
    }
    if (!path || iters < 1 || streams < 1 || streams > 64 || warmup < 0 || (serving && streams != 1)) {
        fprintf(stderr, "usage: bench_model MODEL [--iters N] [--warmup W] [--streams S] [--input F] [--output F] [--serve]\n");
        return 2;
    }
    if (output_file && warmup < 1)
        warmup = 1;
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtCreateContext(&ctx, 0));
    double t0 = now_s();
    CHECK(aclmdlLoadFromFile(path, &model));
    double load_s = now_s() - t0;
    desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(desc, model));
    aclmdlIODims dims;
    CHECK(aclmdlGetInputDims(desc, 0, &dims));
    long batch = dims.dimCount > 0 && dims.dims[0] > 0 ? (long)dims.dims[0] : 1;
    if (serving)
        serve(load_s, batch);
    else
        measure(path, streams, load_s, batch);
    aclmdlDestroyDesc(desc);
    CHECK(aclmdlUnload(model));
    CHECK(aclrtDestroyContext(ctx));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}

/*
 * resnet50_async: asynchronous inference with interval callbacks, following
 * the structure of AscendCL's ResNet-50 asynchronous sample, with hostacl's
 * dataset pool instead of a hand-written one.
 *
 *   resnet50_async [execute_times] [callback_interval] [pool_size]
 *                  [--model FILE] [--input DIR] [--config FILE] [--quiet]
 *
 * Defaults: 100 executions, a callback after every execution, a pool of 100
 * pairs, ../model/resnet50.om, inputs from ../data (raw float16 or float32
 * tensors of the model's input size, used round-robin; synthetic images when
 * the folder has none). Each callback copies the outputs of the executions
 * since the previous one to host memory, prints their top-5 classes and
 * returns their pairs to the pool; the submitting thread waits for the pool
 * when all pairs are in flight (first handing the batch it is building to a
 * callback, so a pool smaller than the interval cannot deadlock).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "acl/hacl_mempool.h"

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        aclError rc_ = (call);                                                                       \
        if (rc_ != ACL_SUCCESS) {                                                                    \
            const char *m_ = aclGetRecentErrMsg();                                                   \
            fprintf(stderr, "resnet50_async: %s failed: %d\n%s\n", #call, rc_, m_ ? m_ : "");       \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static aclrtContext g_context;
static atomic_int g_stop;
static int g_quiet;
static haclMempool *g_pool;
static size_t g_out_size;
static atomic_long g_done;

/* The pairs whose results one callback handles. */
struct batch {
    size_t n;
    long first;
    haclMempoolPair **pairs;
};

static void *report_thread(void *arg)
{
    (void)arg;
    aclrtSetCurrentContext(g_context);
    while (!atomic_load(&g_stop)) {
        /* 107012 before subscription or 507012 on a quiet period: poll on */
        if (aclrtProcessReport(100) != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
    }
    return NULL;
}

static void print_top5(long image, const float *logits, size_t classes)
{
    int top[5] = {-1, -1, -1, -1, -1};
    for (size_t c = 0; c < classes; c++)
        for (int k = 0; k < 5; k++)
            if (top[k] < 0 || logits[c] > logits[top[k]]) {
                memmove(&top[k + 1], &top[k], sizeof(int) * (size_t)(4 - k));
                top[k] = (int)c;
                break;
            }
    if (g_quiet)
        return;
    printf("image %ld top-5:", image);
    for (int k = 0; k < 5 && top[k] >= 0; k++)
        printf(" [%d] %.4f", top[k], logits[top[k]]);
    printf("\n");
}

/* Runs on the report thread: results to host, top-5, pairs back to the pool. */
static void callback(void *arg)
{
    struct batch *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        aclDataBuffer *buf = aclmdlGetDatasetBuffer(b->pairs[i]->output, 0);
        void *host = NULL;
        CHECK(aclrtMallocHost(&host, g_out_size));
        CHECK(aclrtMemcpy(host, g_out_size, aclGetDataBufferAddr(buf), g_out_size, ACL_MEMCPY_DEVICE_TO_HOST));
        print_top5(b->first + (long)i, host, g_out_size / sizeof(float));
        CHECK(aclrtFreeHost(host));
        CHECK(haclMempoolRelease(g_pool, b->pairs[i]));
        atomic_fetch_add(&g_done, 1);
    }
    free(b->pairs);
    free(b);
}

/* Input images: the folder's files of exactly `size` bytes, else synthetic. */
static void **load_inputs(const char *dir, size_t size, int fp16, size_t *count)
{
    void **imgs = NULL;
    size_t n = 0;
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        void *buf = malloc(size);
        size_t got = fread(buf, 1, size, f);
        int extra = fgetc(f) != EOF;
        fclose(f);
        if (got != size || extra) {
            fprintf(stderr, "resnet50_async: skipping %s (not %zu bytes)\n", path, size);
            free(buf);
            continue;
        }
        imgs = realloc(imgs, (n + 1) * sizeof *imgs);
        imgs[n++] = buf;
    }
    if (d)
        closedir(d);
    if (n == 0) { /* synthetic, deterministic images */
        for (int k = 0; k < 4; k++) {
            void *buf = malloc(size);
            size_t elems = size / (fp16 ? 2 : 4);
            for (size_t i = 0; i < elems; i++) {
                float v = (float)(((i + (size_t)k * 7919) * 2654435761u) % 2000) / 1000.0f - 1.0f;
                if (fp16)
                    ((aclFloat16 *)buf)[i] = aclFloatToFloat16(v);
                else
                    ((float *)buf)[i] = v;
            }
            imgs = realloc(imgs, (n + 1) * sizeof *imgs);
            imgs[n++] = buf;
        }
        fprintf(stderr, "resnet50_async: no input files in %s, using %zu synthetic images\n", dir ? dir : "(none)", n);
    }
    *count = n;
    return imgs;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long execute_times = 100, interval = 1, pool_size = 100;
    const char *model = "../model/resnet50.om", *input = "../data", *config = NULL;
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc)
            input = argv[++i];
        else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0)
            g_quiet = 1;
        else if (pos == 0)
            execute_times = atol(argv[i]), pos++;
        else if (pos == 1)
            interval = atol(argv[i]), pos++;
        else if (pos == 2)
            pool_size = atol(argv[i]), pos++;
        else {
            fprintf(stderr, "usage: resnet50_async [execute_times] [callback_interval] [pool_size] "
                            "[--model FILE] [--input DIR] [--config FILE] [--quiet]\n");
            return 2;
        }
    }
    if (execute_times < 1 || interval < 1 || pool_size < 1) {
        fprintf(stderr, "resnet50_async: execute_times, callback_interval and pool_size must be positive\n");
        return 2;
    }

    CHECK(aclInit(config));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtCreateContext(&g_context, 0));
    aclrtStream stream;
    CHECK(aclrtCreateStream(&stream));

    /* Load the model into memory we allocate, as the upstream sample does. */
    size_t work_size = 0, weight_size = 0;
    CHECK(aclmdlQuerySize(model, &work_size, &weight_size));
    void *work = NULL, *weight = NULL;
    CHECK(aclrtMalloc(&work, work_size ? work_size : 64, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc(&weight, weight_size ? weight_size : 64, ACL_MEM_MALLOC_HUGE_FIRST));
    uint32_t model_id;
    CHECK(aclmdlLoadFromFileWithMem(model, &model_id, work, work_size, weight, weight_size));
    aclmdlDesc *desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(desc, model_id));
    size_t in_size = aclmdlGetInputSizeByIndex(desc, 0);
    g_out_size = aclmdlGetOutputSizeByIndex(desc, 0);
    int fp16 = aclmdlGetInputDataType(desc, 0) == ACL_FLOAT16;
    fprintf(stderr, "resnet50_async: %s loaded (work %zu, weights %zu bytes; input %zu bytes %s, output %zu bytes)\n",
            model, work_size, weight_size, in_size, fp16 ? "float16" : "float32", g_out_size);

    size_t nimages = 0;
    void **images = load_inputs(input, in_size, fp16, &nimages);
    CHECK(haclMempoolCreate(model_id, (uint32_t)pool_size, &g_pool));

    pthread_t tid;
    pthread_create(&tid, NULL, report_thread, NULL);
    CHECK(aclrtSubscribeReport((uint64_t)tid, stream));

    double t0 = now_s();
    struct batch *b = NULL;
    for (long i = 0; i < execute_times; i++) {
        haclMempoolPair *pair = NULL;
        if (haclMempoolAcquire(g_pool, 0, &pair) != ACL_SUCCESS) {
            (void)aclGetRecentErrMsg();
            /* Every pair is in flight. The pairs of the batch being built are
             * released only by its callback: launch it now, then wait. */
            if (b) {
                CHECK(aclrtLaunchCallback(callback, b, ACL_CALLBACK_BLOCK, stream));
                b = NULL;
            }
            CHECK(haclMempoolAcquire(g_pool, -1, &pair));
        }
        void *dev_in = aclGetDataBufferAddr(aclmdlGetDatasetBuffer(pair->input, 0));
        CHECK(aclrtMemcpyAsync(dev_in, in_size, images[i % (long)nimages], in_size, ACL_MEMCPY_HOST_TO_DEVICE,
                               stream));
        CHECK(aclmdlExecuteAsync(model_id, pair->input, pair->output, stream));
        if (!b) {
            b = calloc(1, sizeof *b);
            b->pairs = calloc((size_t)interval, sizeof *b->pairs);
            b->first = i;
        }
        b->pairs[b->n++] = pair;
        if ((long)b->n == interval || i == execute_times - 1) {
            CHECK(aclrtLaunchCallback(callback, b, ACL_CALLBACK_BLOCK, stream));
            b = NULL;
        }
    }
    CHECK(aclrtSynchronizeStream(stream));
    double secs = now_s() - t0;

    CHECK(aclrtUnSubscribeReport((uint64_t)tid, stream));
    atomic_store(&g_stop, 1);
    pthread_join(tid, NULL);
    printf("resnet50_async: %ld images in %.3f s, %.2f images/s (callback interval %ld, pool %ld)\n",
           atomic_load(&g_done), secs, (double)atomic_load(&g_done) / secs, interval, pool_size);

    CHECK(haclMempoolDestroy(g_pool, 0));
    for (size_t i = 0; i < nimages; i++)
        free(images[i]);
    free(images);
    CHECK(aclmdlDestroyDesc(desc));
    CHECK(aclmdlUnload(model_id));
    CHECK(aclrtFree(work));
    CHECK(aclrtFree(weight));
    CHECK(aclrtDestroyStream(stream));
    CHECK(aclrtDestroyContext(g_context));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return atomic_load(&g_done) == execute_times ? 0 : 1;
}

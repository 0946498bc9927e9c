/*
 * bench_pipeline: what the pipeline layer costs against hand-written
 * AscendCL-style code doing the same work, in the same run, printed as JSON.
 *
 *   bench_pipeline MODEL [--frames N] [--rounds R] [--depth D]
 *
 * "hand-written": the resnet50_async structure - a pool of D dataset pairs,
 * one stream, a report thread on aclrtProcessReport, aclmdlExecuteAsync per
 * frame and a callback per frame that copies the output to host memory and
 * returns the pair. "pipeline": haclPipelineConnectInput/Output with depth
 * D doing the same copies. Both fill the same synthetic input per frame.
 * Rounds alternate the order; the JSON gives each side's median images/s
 * and pipeline / hand-written.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "bench_util.h"
#include "acl/hacl_mempool.h"
#include "acl/hacl_pipeline.h"

static aclrtContext ctx;
static uint32_t model;
static size_t in_size, out_size;
static long frames = 60;
static uint32_t depth = 4;
static unsigned char *frame_src;
static float *host_out;

/* ---- hand-written ---- */

static haclMempool *pool;
static atomic_int stop_report;

static void *report_main(void *arg)
{
    (void)arg;
    aclrtSetCurrentContext(ctx);
    while (!atomic_load(&stop_report))
        if (aclrtProcessReport(100) != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
    return NULL;
}

static void hand_cb(void *arg)
{
    haclMempoolPair *pair = arg;
    void *dev = aclGetDataBufferAddr(aclmdlGetDatasetBuffer(pair->output, 0));
    CHECK(aclrtMemcpy(host_out, out_size, dev, out_size, ACL_MEMCPY_DEVICE_TO_HOST));
    CHECK(haclMempoolRelease(pool, pair));
}

static double run_hand(void)
{
    aclrtStream s;
    CHECK(aclrtCreateStream(&s));
    CHECK(haclMempoolCreate(model, depth, &pool));
    pthread_t tid;
    atomic_store(&stop_report, 0);
    pthread_create(&tid, NULL, report_main, NULL);
    CHECK(aclrtSubscribeReport((uint64_t)tid, s));
    double t0 = now_s();
    for (long i = 0; i < frames; i++) {
        haclMempoolPair *pair;
        CHECK(haclMempoolAcquire(pool, -1, &pair));
        void *dev = aclGetDataBufferAddr(aclmdlGetDatasetBuffer(pair->input, 0));
        CHECK(aclrtMemcpy(dev, in_size, frame_src, in_size, ACL_MEMCPY_HOST_TO_DEVICE));
        CHECK(aclmdlExecuteAsync(model, pair->input, pair->output, s));
        CHECK(aclrtLaunchCallback(hand_cb, pair, ACL_CALLBACK_BLOCK, s));
    }
    CHECK(aclrtSynchronizeStream(s));
    double secs = now_s() - t0;
    CHECK(aclrtUnSubscribeReport((uint64_t)tid, s));
    atomic_store(&stop_report, 1);
    pthread_join(tid, NULL);
    CHECK(haclMempoolDestroy(pool, -1));
    CHECK(aclrtDestroyStream(s));
    return (double)frames / secs;
}

/* ---- pipeline ---- */

static long fed;

static int pipe_in(void *user, uint32_t id, void *const *inputs, const size_t *sizes, size_t count)
{
    (void)user, (void)id, (void)count;
    if (fed >= frames)
        return HACL_PIPELINE_END;
    fed++;
    memcpy(inputs[0], frame_src, sizes[0]);
    return HACL_PIPELINE_FRAME;
}

static int pipe_out(void *user, uint32_t id, uint64_t frame, const void *const *outputs, const size_t *sizes,
                    size_t count)
{
    (void)user, (void)id, (void)frame, (void)count;
    memcpy(host_out, outputs[0], sizes[0]);
    return 0;
}

static double run_pipeline(void)
{
    haclPipelineConfig cfg = {depth, 1};
    haclPipeline *p;
    CHECK(haclPipelineCreate(model, &cfg, &p));
    fed = 0;
    double t0 = now_s();
    CHECK(haclPipelineConnectInput(p, pipe_in, NULL, 0));
    CHECK(haclPipelineConnectOutput(p, pipe_out, NULL, 0));
    CHECK(haclPipelineWait(p, -1));
    double secs = now_s() - t0;
    CHECK(haclPipelineDestroy(p));
    return (double)frames / secs;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int rounds = 3;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--frames") == 0)
            frames = atol(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--rounds") == 0)
            rounds = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--depth") == 0)
            depth = (uint32_t)atoi(argv[++i]);
        else if (!path)
            path = argv[i];
    }
    if (!path || frames < 1 || rounds < 1 || rounds > 100 || depth < 1) {
        fprintf(stderr, "usage: bench_pipeline MODEL [--frames N] [--rounds R] [--depth D]\n");
        return 2;
    }
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtCreateContext(&ctx, 0));
    CHECK(aclmdlLoadFromFile(path, &model));
    aclmdlDesc *d = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(d, model));
    in_size = aclmdlGetInputSizeByIndex(d, 0);
    out_size = aclmdlGetOutputSizeByIndex(d, 0);
    frame_src = malloc(in_size);
    for (size_t i = 0; i < in_size; i++)
        frame_src[i] = (unsigned char)((i * 7) % 60);
    host_out = malloc(out_size);
    double hand[100], pipe[100];
    run_hand(); /* warm-up */
    for (int r = 0; r < rounds; r++) {
        if (r % 2 == 0) {
            hand[r] = run_hand();
            pipe[r] = run_pipeline();
        } else {
            pipe[r] = run_pipeline();
            hand[r] = run_hand();
        }
    }
    qsort(hand, (size_t)rounds, sizeof(double), cmp_double);
    qsort(pipe, (size_t)rounds, sizeof(double), cmp_double);
    double h = hand[rounds / 2], p = pipe[rounds / 2];
    printf("{\"model\": \"%s\", \"frames\": %ld, \"rounds\": %d, \"depth\": %u, \"hand_written_images_per_s\": %.2f, "
           "\"pipeline_images_per_s\": %.2f, \"pipeline_over_hand_written\": %.3f}\n",
           path, frames, rounds, depth, h, p, p / h);
    free(frame_src);
    free(host_out);
    aclmdlDestroyDesc(d);
    CHECK(aclmdlUnload(model));
    CHECK(aclrtDestroyContext(ctx));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}

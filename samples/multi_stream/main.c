/*
 * multi_stream: several streams served by one report thread, with events
 * between streams.
 *
 *   multi_stream [--model FILE] [--streams S] [--rounds R] [--config FILE]
 *
 * S worker streams (default 3) each run the model R times (default 4) on
 * their own input; after each execution a NO_BLOCK callback on that stream
 * reports which stream and round finished. Each worker stream then records
 * an event; a collector stream waits for all S events of the round
 * (aclrtStreamWaitEvent) and copies every worker's output into one host
 * summary with aclrtMemcpyAsync, then a BLOCK callback on the collector
 * prints the round's outputs side by side. One report thread serves all
 * S + 1 streams. The sample checks that each stream's callbacks came in
 * order and that every round's summary saw every stream's result, and exits
 * non-zero otherwise. Without --model, the tiny generated model is expected
 * at ./tiny.onnx.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        aclError rc_ = (call);                                                                       \
        if (rc_ != ACL_SUCCESS) {                                                                    \
            const char *m_ = aclGetRecentErrMsg();                                                   \
            fprintf(stderr, "multi_stream: %s failed: %d\n%s\n", #call, rc_, m_ ? m_ : "");         \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

#define MAX_STREAMS 16

static aclrtContext g_context;
static atomic_int g_stop;
static long g_next_round[MAX_STREAMS]; /* written by the report thread only */
static int g_order_ok = 1, g_rounds_ok = 1;
static float *g_summary;               /* rounds x streams first logits */
static size_t g_out_floats;
static long g_streams;

struct done_note {
    long stream, round;
};

static void *report_thread(void *arg)
{
    (void)arg;
    aclrtSetCurrentContext(g_context);
    while (!atomic_load(&g_stop))
        if (aclrtProcessReport(100) != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
    return NULL;
}

/* NO_BLOCK, on a worker stream: one execution finished. */
static void execution_done(void *arg)
{
    struct done_note *d = arg;
    if (g_next_round[d->stream] != d->round)
        g_order_ok = 0;
    g_next_round[d->stream] = d->round + 1;
    printf("stream %ld: round %ld done\n", d->stream, d->round);
    free(d);
}

struct round_note {
    long round;
    float *host; /* streams x outputs, filled by the collector's copies */
};

/* BLOCK, on the collector stream: every worker's result of the round. */
static void round_done(void *arg)
{
    struct round_note *r = arg;
    printf("round %ld collected:", r->round);
    for (long s = 0; s < g_streams; s++) {
        float first = r->host[(size_t)s * g_out_floats];
        printf(" s%ld=%.4f", s, first);
        if (g_next_round[s] <= r->round) /* its callback must have run: it came earlier on its stream */
            g_rounds_ok = 0;
        g_summary[(size_t)r->round * (size_t)g_streams + (size_t)s] = first;
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *model = "tiny.onnx", *config = NULL;
    long rounds = 4;
    g_streams = 3;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--model") == 0)
            model = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--streams") == 0)
            g_streams = atol(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--rounds") == 0)
            rounds = atol(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--config") == 0)
            config = argv[++i];
        else {
            fprintf(stderr, "usage: multi_stream [--model FILE] [--streams S] [--rounds R] [--config FILE]\n");
            return 2;
        }
    }
    if (g_streams < 1 || g_streams > MAX_STREAMS || rounds < 1 || rounds > 1000) {
        fprintf(stderr, "multi_stream: 1 to %d streams and 1 to 1000 rounds\n", MAX_STREAMS);
        return 2;
    }
    CHECK(aclInit(config));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtCreateContext(&g_context, 0));
    uint32_t id;
    CHECK(aclmdlLoadFromFile(model, &id));
    aclmdlDesc *desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(desc, id));
    size_t in_size = aclmdlGetInputSizeByIndex(desc, 0), out_size = aclmdlGetOutputSizeByIndex(desc, 0);
    int fp16 = aclmdlGetInputDataType(desc, 0) == ACL_FLOAT16;
    g_out_floats = out_size / sizeof(float);
    g_summary = calloc((size_t)(rounds * g_streams), sizeof(float));

    pthread_t tid;
    pthread_create(&tid, NULL, report_thread, NULL);
    aclrtStream workers[MAX_STREAMS], collector;
    aclrtEvent events[MAX_STREAMS];
    aclmdlDataset *in[MAX_STREAMS], *out[MAX_STREAMS];
    void *dev_out[MAX_STREAMS];
    for (long s = 0; s < g_streams; s++) {
        CHECK(aclrtCreateStream(&workers[s]));
        CHECK(aclrtCreateEvent(&events[s]));
        CHECK(aclrtSubscribeReport((uint64_t)tid, workers[s]));
        /* Each stream's own input: a different constant image. */
        void *host_in = malloc(in_size), *dev_in;
        size_t elems = in_size / (fp16 ? 2 : 4);
        for (size_t i = 0; i < elems; i++) {
            float v = (float)((i * 31 + (size_t)s * 997) % 200) / 100.0f - 1.0f;
            if (fp16)
                ((aclFloat16 *)host_in)[i] = aclFloatToFloat16(v);
            else
                ((float *)host_in)[i] = v;
        }
        CHECK(aclrtMalloc(&dev_in, in_size, ACL_MEM_MALLOC_HUGE_FIRST));
        CHECK(aclrtMemcpy(dev_in, in_size, host_in, in_size, ACL_MEMCPY_HOST_TO_DEVICE));
        free(host_in);
        CHECK(aclrtMalloc(&dev_out[s], out_size, ACL_MEM_MALLOC_HUGE_FIRST));
        in[s] = aclmdlCreateDataset();
        out[s] = aclmdlCreateDataset();
        CHECK(aclmdlAddDatasetBuffer(in[s], aclCreateDataBuffer(dev_in, in_size)));
        CHECK(aclmdlAddDatasetBuffer(out[s], aclCreateDataBuffer(dev_out[s], out_size)));
    }
    CHECK(aclrtCreateStream(&collector));
    CHECK(aclrtSubscribeReport((uint64_t)tid, collector));

    struct round_note *notes = calloc((size_t)rounds, sizeof *notes);
    aclrtEvent *copied = calloc((size_t)rounds, sizeof *copied);
    for (long r = 0; r < rounds; r++) {
        notes[r].round = r;
        CHECK(aclrtMallocHost((void **)&notes[r].host, out_size * (size_t)g_streams));
        for (long s = 0; s < g_streams; s++) {
            CHECK(aclmdlExecuteAsync(id, in[s], out[s], workers[s]));
            struct done_note *d = malloc(sizeof *d);
            d->stream = s;
            d->round = r;
            CHECK(aclrtLaunchCallback(execution_done, d, ACL_CALLBACK_NO_BLOCK, workers[s]));
            CHECK(aclrtRecordEvent(events[s], workers[s]));
        }
        for (long s = 0; s < g_streams; s++) {
            CHECK(aclrtStreamWaitEvent(collector, events[s]));
            CHECK(aclrtMemcpyAsync(notes[r].host + (size_t)s * g_out_floats, out_size, dev_out[s], out_size,
                                   ACL_MEMCPY_DEVICE_TO_HOST, collector));
        }
        CHECK(aclrtLaunchCallback(round_done, &notes[r], ACL_CALLBACK_BLOCK, collector));
        /* Workers wait for the collector's copies before the next round
         * overwrites their outputs. */
        CHECK(aclrtCreateEvent(&copied[r]));
        CHECK(aclrtRecordEvent(copied[r], collector));
        for (long s = 0; s < g_streams; s++)
            CHECK(aclrtStreamWaitEvent(workers[s], copied[r]));
    }
    for (long s = 0; s < g_streams; s++)
        CHECK(aclrtSynchronizeStream(workers[s]));
    CHECK(aclrtSynchronizeStream(collector));

    /* The same input gives the same output every round. */
    int same = 1;
    for (long r = 1; r < rounds; r++)
        for (long s = 0; s < g_streams; s++)
            if (g_summary[(size_t)r * (size_t)g_streams + (size_t)s] != g_summary[(size_t)s])
                same = 0;
    printf("multi_stream: %ld streams x %ld rounds through one report thread: callbacks in order: %s, rounds "
           "complete: %s, results stable: %s\n",
           g_streams, rounds, g_order_ok ? "yes" : "NO", g_rounds_ok ? "yes" : "NO", same ? "yes" : "NO");

    for (long s = 0; s < g_streams; s++) {
        CHECK(aclrtUnSubscribeReport((uint64_t)tid, workers[s]));
        for (int side = 0; side < 2; side++) {
            aclmdlDataset *ds = side ? out[s] : in[s];
            aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, 0);
            CHECK(aclrtFree(aclGetDataBufferAddr(b)));
            CHECK(aclDestroyDataBuffer(b));
            CHECK(aclmdlDestroyDataset(ds));
        }
        CHECK(aclrtDestroyEvent(events[s]));
        CHECK(aclrtDestroyStream(workers[s]));
    }
    CHECK(aclrtUnSubscribeReport((uint64_t)tid, collector));
    CHECK(aclrtDestroyStream(collector));
    atomic_store(&g_stop, 1);
    pthread_join(tid, NULL);
    for (long r = 0; r < rounds; r++) {
        CHECK(aclrtFreeHost(notes[r].host));
        CHECK(aclrtDestroyEvent(copied[r]));
    }
    free(notes);
    free(copied);
    free(g_summary);
    CHECK(aclmdlDestroyDesc(desc));
    CHECK(aclmdlUnload(id));
    CHECK(aclrtDestroyContext(g_context));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return g_order_ok && g_rounds_ok && same ? 0 : 1;
}

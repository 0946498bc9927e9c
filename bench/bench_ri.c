/*
 * Replaying a model runtime instance against issuing the same work call by
 * call. Part 1: N small tasks (4-byte device-to-device copies): the time to
 * submit them (N aclrtMemcpyAsync calls against one aclmdlRIExecuteAsync),
 * measured with the stream held by a host function so no worker runs them
 * meanwhile, and the time to submit and run them on a free stream. Part 2, with a
 * model: an execution followed by a BLOCK callback, live against replayed,
 * checking both give the same output bytes, with per-iteration latency.
 * Rounds alternate live and replay; medians. Prints JSON.
 *
 * usage: bench_ri [tasks] [rounds] [model.onnx]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "bench_util.h"

static volatile int stop_reports;
static int callbacks;

static void *report_main(void *arg)
{
    aclrtSetCurrentContext((aclrtContext)arg);
    while (!stop_reports)
        (void)aclrtProcessReport(50);
    return NULL;
}

static void count(void *p)
{
    (void)p;
    callbacks++;
}

/* Holds the stream while a round is submitted, so the time measured is
 * the submission's alone: no worker runs the copies meanwhile, the gate
 * sleeps, and a pause first lets idle workers stop spinning (on 2 cores
 * a spinning thread would take the submitting thread's core). */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open;

static void wait_gate(void *p)
{
    (void)p;
    pthread_mutex_lock(&gate_lock);
    while (!gate_open)
        pthread_cond_wait(&gate_cv, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
}

static void hold(aclrtStream s)
{
    gate_open = 0;
    CHECK(aclrtLaunchHostFunc(s, wait_gate, NULL));
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, NULL);
}

static void release(void)
{
    pthread_mutex_lock(&gate_lock);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_lock);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000, rounds = argc > 2 ? atoi(argv[2]) : 21;
    const char *model_path = argc > 3 ? argv[3] : NULL;
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    aclrtContext ctx;
    CHECK(aclrtGetCurrentContext(&ctx));
    aclrtStream s;
    CHECK(aclrtCreateStream(&s));
    char *src, *dst;
    CHECK(aclrtMalloc((void **)&src, (size_t)n * 4, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc((void **)&dst, (size_t)n * 4, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMemset(src, (size_t)n * 4, 1, (size_t)n * 4));

    aclmdlRI ri;
    CHECK(aclmdlRICaptureBegin(s, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    for (int i = 0; i < n; i++)
        CHECK(aclrtMemcpyAsync(dst + 4 * i, 4, src + 4 * i, 4, ACL_MEMCPY_DEVICE_TO_DEVICE, s));
    CHECK(aclmdlRICaptureEnd(s, &ri));

    double *sub_live = calloc((size_t)rounds, sizeof(double)), *sub_ri = calloc((size_t)rounds, sizeof(double));
    double *all_live = calloc((size_t)rounds, sizeof(double)), *all_ri = calloc((size_t)rounds, sizeof(double));
    for (int r = -2; r < rounds; r++) { /* two warm-up rounds */
        /* submission alone, the stream held */
        hold(s);
        double t0 = now_us();
        for (int i = 0; i < n; i++)
            CHECK(aclrtMemcpyAsync(dst + 4 * i, 4, src + 4 * i, 4, ACL_MEMCPY_DEVICE_TO_DEVICE, s));
        double t1 = now_us();
        release();
        CHECK(aclrtSynchronizeStream(s));
        hold(s);
        double t2 = now_us();
        CHECK(aclmdlRIExecuteAsync(ri, s));
        double t3 = now_us();
        release();
        CHECK(aclrtSynchronizeStream(s));
        /* submission and running, the stream free */
        double t4 = now_us();
        for (int i = 0; i < n; i++)
            CHECK(aclrtMemcpyAsync(dst + 4 * i, 4, src + 4 * i, 4, ACL_MEMCPY_DEVICE_TO_DEVICE, s));
        CHECK(aclrtSynchronizeStream(s));
        double t5 = now_us();
        CHECK(aclmdlRIExecuteAsync(ri, s));
        CHECK(aclrtSynchronizeStream(s));
        double t6 = now_us();
        if (r >= 0) {
            sub_live[r] = t1 - t0, sub_ri[r] = t3 - t2;
            all_live[r] = t5 - t4, all_ri[r] = t6 - t5;
        }
    }
    char cpu[128];
    double sl = median(sub_live, rounds), sr = median(sub_ri, rounds);
    double al = median(all_live, rounds), ar = median(all_ri, rounds);
    printf("{\"cpu\": \"%s\", \"tasks\": %d, \"rounds\": %d,\n"
           " \"submit_us\": {\"live\": %.1f, \"replay\": %.1f, \"speedup\": %.2f},\n"
           " \"submit_and_run_us\": {\"live\": %.1f, \"replay\": %.1f, \"speedup\": %.2f}",
           cpu_name(cpu, sizeof cpu), n, rounds, sl, sr, sl / sr, al, ar, al / ar);
    CHECK(aclmdlRIDestroy(ri));

    if (model_path) {
        uint32_t id;
        CHECK(aclmdlLoadFromFile(model_path, &id));
        aclmdlDesc *d = aclmdlCreateDesc();
        CHECK(aclmdlGetDesc(d, id));
        aclmdlDataset *in = zero_dataset(d, 1), *out = zero_dataset(d, 0);
        aclDataBuffer *b0 = aclmdlGetDatasetBuffer(in, 0), *o0 = aclmdlGetDatasetBuffer(out, 0);
        size_t isz = aclGetDataBufferSizeV2(b0), osz = aclGetDataBufferSizeV2(o0);
        float *host_in = malloc(isz);
        for (size_t i = 0; i < isz / 4; i++)
            host_in[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
        CHECK(aclrtMemcpy(aclGetDataBufferAddr(b0), isz, host_in, isz, ACL_MEMCPY_HOST_TO_DEVICE));
        pthread_t rep;
        pthread_create(&rep, NULL, report_main, ctx);
        CHECK(aclrtSubscribeReport((uint64_t)rep, s));
        CHECK(aclmdlRICaptureBegin(s, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
        CHECK(aclmdlExecuteAsync(id, in, out, s));
        CHECK(aclrtLaunchCallback(count, NULL, ACL_CALLBACK_BLOCK, s));
        CHECK(aclmdlRICaptureEnd(s, &ri));
        unsigned char *live = malloc(osz), *replayed = malloc(osz);
        int mrounds = rounds < 11 ? rounds : 11, same = 1;
        double *lat_live = calloc((size_t)mrounds, sizeof(double)), *lat_ri = calloc((size_t)mrounds, sizeof(double));
        for (int r = -1; r < mrounds; r++) {
            CHECK(aclrtMemset(aclGetDataBufferAddr(o0), osz, 0, osz));
            double t0 = now_us();
            CHECK(aclmdlExecuteAsync(id, in, out, s));
            CHECK(aclrtLaunchCallback(count, NULL, ACL_CALLBACK_BLOCK, s));
            CHECK(aclrtSynchronizeStream(s));
            double t1 = now_us();
            CHECK(aclrtMemcpy(live, osz, aclGetDataBufferAddr(o0), osz, ACL_MEMCPY_DEVICE_TO_HOST));
            CHECK(aclrtMemset(aclGetDataBufferAddr(o0), osz, 0, osz));
            double t2 = now_us();
            CHECK(aclmdlRIExecuteAsync(ri, s));
            CHECK(aclrtSynchronizeStream(s));
            double t3 = now_us();
            CHECK(aclrtMemcpy(replayed, osz, aclGetDataBufferAddr(o0), osz, ACL_MEMCPY_DEVICE_TO_HOST));
            same &= memcmp(live, replayed, osz) == 0;
            if (r >= 0)
                lat_live[r] = t1 - t0, lat_ri[r] = t3 - t2;
        }
        printf(",\n \"model\": {\"path\": \"%s\", \"rounds\": %d, \"callbacks\": %d, \"outputs_identical\": %s,\n"
               "  \"latency_ms\": {\"live\": %.3f, \"replay\": %.3f}}",
               model_path, mrounds, callbacks, same ? "true" : "false", median(lat_live, mrounds) / 1e3,
               median(lat_ri, mrounds) / 1e3);
        CHECK(aclmdlRIDestroy(ri));
        CHECK(aclrtUnSubscribeReport((uint64_t)rep, s));
        stop_reports = 1;
        pthread_join(rep, NULL);
        free_dataset(in);
        free_dataset(out);
        aclmdlDestroyDesc(d);
        CHECK(aclmdlUnload(id));
        if (!same || callbacks != 2 * (mrounds + 1)) {
            printf("}\n");
            fprintf(stderr, "bench_ri: replayed outputs or callbacks differ from the live ones\n");
            return 1;
        }
    }
    printf("}\n");
    CHECK(aclrtFree(src));
    CHECK(aclrtFree(dst));
    CHECK(aclrtDestroyStream(s));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}

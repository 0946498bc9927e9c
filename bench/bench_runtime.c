/*
 * bench_runtime: what the stream runtime costs, printed as JSON.
 *
 *  - floor: one-way hand-off between two threads through a mutex/condvar
 *    (sleeping) and through a spinning atomic, the limits any runtime meets;
 *  - enqueue: empty tasks (zero-byte memsets) through 1, 8 and 64 streams
 *    from one submitting thread, and launched-and-delivered callbacks
 *    (BLOCK and NO_BLOCK) through one stream;
 *  - callback latency: aclrtLaunchCallback on an idle stream to the callback
 *    starting in a report thread waiting in aclrtProcessReport, hot (back to
 *    back) and after a long idle;
 *  - synchronize latency on an empty and a busy stream;
 *  - event hand-off: record on one stream to a waiting stream's next task
 *    (from the two records' own timestamps);
 *  - with --model PATH (a small model): aclmdlExecuteAsync followed by a
 *    BLOCK callback, from the launch to the callback starting, against the
 *    same model's synchronous aclmdlExecute (the difference is what the
 *    asynchronous path costs), and execution+callback pairs per second.
 *
 * Usage: bench_runtime [--quick] [--model PATH] [--only SECTIONS]; SECTIONS
 * is a comma-separated list of floor, tasks, streams, callbacks, latency,
 * sync, event, exec (all by default). Only the public API is used.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl/acl.h"
#include "bench_util.h"

static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static int quick;
static aclrtContext g_ctx;

/* ---- floors ---- */

static struct {
    pthread_mutex_t m;
    pthread_cond_t c;
    int turn;
    _Atomic int flag;
    int rounds;
    int stop;
} pp = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0};

static double cv_woke;
static void *cv_partner(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&pp.m);
    for (int i = 0; i < pp.rounds; i++) {
        while (pp.turn != 1)
            pthread_cond_wait(&pp.c, &pp.m);
        cv_woke = now_us();
        pp.turn = 0;
        pthread_cond_signal(&pp.c);
    }
    pthread_mutex_unlock(&pp.m);
    return NULL;
}

static void *spin_partner(void *arg)
{
    (void)arg;
    for (int i = 0; i < pp.rounds; i++) {
        while (atomic_load(&pp.flag) != 1)
            ;
        atomic_store(&pp.flag, 0);
    }
    return NULL;
}

static void bench_floor(void)
{
    int n = quick ? 2000 : 20000;
    double *v = malloc(sizeof(double) * (size_t)n);
    pp.rounds = n;
    pthread_t t;
    pthread_create(&t, NULL, cv_partner, NULL);
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        pthread_mutex_lock(&pp.m);
        pp.turn = 1;
        pthread_cond_signal(&pp.c);
        while (pp.turn != 0)
            pthread_cond_wait(&pp.c, &pp.m);
        pthread_mutex_unlock(&pp.m);
        v[i] = (now_us() - t0) / 2;
    }
    pthread_join(t, NULL);
    double cv50 = pct(v, (size_t)n, 0.5), cv99 = pct(v, (size_t)n, 0.99);
    /* The same hand-off after the partner slept 20 ms (deep idle). */
    int n_idle = quick ? 50 : 300;
    pp.rounds = n_idle;
    pthread_create(&t, NULL, cv_partner, NULL);
    for (int i = 0; i < n_idle; i++) {
        usleep(20000);
        pthread_mutex_lock(&pp.m);
        double t0 = now_us();
        pp.turn = 1;
        pthread_cond_signal(&pp.c);
        while (pp.turn != 0)
            pthread_cond_wait(&pp.c, &pp.m);
        v[i] = cv_woke - t0;
        pthread_mutex_unlock(&pp.m);
    }
    pthread_join(t, NULL);
    double idle50 = pct(v, (size_t)n_idle, 0.5), idle99 = pct(v, (size_t)n_idle, 0.99);
    pp.rounds = n;
    pthread_create(&t, NULL, spin_partner, NULL);
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        atomic_store(&pp.flag, 1);
        while (atomic_load(&pp.flag) != 0)
            ;
        v[i] = (now_us() - t0) / 2;
    }
    pthread_join(t, NULL);
    printf("  \"floor\": {\"condvar_oneway_us\": {\"p50\": %.2f, \"p99\": %.2f}, "
           "\"condvar_wake_after_idle_us\": {\"p50\": %.2f, \"p99\": %.2f}, "
           "\"spin_oneway_us\": {\"p50\": %.3f, \"p99\": %.3f}},\n",
           cv50, cv99, idle50, idle99, pct(v, (size_t)n, 0.5), pct(v, (size_t)n, 0.99));
    free(v);
}

/* ---- report thread ---- */

static struct {
    pthread_t t;
    uint64_t id;
    _Atomic int stop, ready, go;
} rep;

static void *report_main(void *arg)
{
    (void)arg;
    aclrtSetCurrentContext(g_ctx);
    rep.id = (uint64_t)pthread_self();
    atomic_store(&rep.ready, 1);
    while (!atomic_load(&rep.go)) /* until subscribed */
        usleep(100);
    while (!atomic_load(&rep.stop)) {
        if (aclrtProcessReport(100) != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
    }
    return NULL;
}

/* Starts the report thread and subscribes s to it. */
static void start_reporter(aclrtStream s)
{
    atomic_store(&rep.stop, 0);
    atomic_store(&rep.ready, 0);
    atomic_store(&rep.go, 0);
    pthread_create(&rep.t, NULL, report_main, NULL);
    while (!atomic_load(&rep.ready))
        ;
    CHECK(aclrtSubscribeReport(rep.id, s));
    atomic_store(&rep.go, 1);
}

static void stop_reporter(aclrtStream s)
{
    atomic_store(&rep.stop, 1);
    CHECK(aclrtUnSubscribeReport(rep.id, s)); /* wakes the thread if it waits */
    pthread_join(rep.t, NULL);
    (void)aclGetRecentErrMsg();
}

/* ---- enqueue rates ---- */

static void bench_empty_tasks(void *dev)
{
    long n = quick ? 200000 : 2000000;
    int counts[] = {1, 8, 64};
    printf("  \"empty_tasks\": [");
    for (int c = 0; c < 3; c++) {
        int k = counts[c];
        aclrtStream *ss = malloc(sizeof(aclrtStream) * (size_t)k);
        for (int i = 0; i < k; i++)
            CHECK(aclrtCreateStream(&ss[i]));
        double best_enq = 0, best_all = 0;
        for (int rep_i = 0; rep_i < 3; rep_i++) {
            double t0 = now_us();
            for (long i = 0; i < n; i++)
                CHECK(aclrtMemsetAsync(dev, 64, 0, 0, ss[i % k]));
            double t1 = now_us();
            for (int i = 0; i < k; i++)
                CHECK(aclrtSynchronizeStream(ss[i]));
            double t2 = now_us();
            double enq = (double)n / (t1 - t0) * 1e6, all = (double)n / (t2 - t0) * 1e6;
            if (enq > best_enq)
                best_enq = enq;
            if (all > best_all)
                best_all = all;
        }
        printf("%s{\"streams\": %d, \"tasks\": %ld, \"enqueue_per_s\": %.0f, \"completed_per_s\": %.0f}",
               c ? ", " : "", k, n, best_enq, best_all);
        for (int i = 0; i < k; i++)
            CHECK(aclrtDestroyStream(ss[i]));
        free(ss);
    }
    printf("],\n");
}

/* k submitting threads, each with its own stream: does throughput grow
 * with streams up to the number of workers? */
struct producer {
    pthread_t t;
    aclrtStream s;
    void *dev;
    long n;
};

static void *producer_main(void *arg)
{
    struct producer *p = arg;
    aclrtSetCurrentContext(g_ctx);
    for (long i = 0; i < p->n; i++)
        CHECK(aclrtMemsetAsync(p->dev, 64, 0, 0, p->s));
    CHECK(aclrtSynchronizeStream(p->s));
    return NULL;
}

static void bench_parallel_streams(void *dev)
{
    long n = quick ? 200000 : 2000000;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("  \"empty_tasks_thread_per_stream\": [");
    for (int k = 1; k <= cores && k <= 8; k *= 2) {
        struct producer ps[8];
        double best = 0;
        for (int r = 0; r < 3; r++) {
            for (int i = 0; i < k; i++) {
                CHECK(aclrtCreateStream(&ps[i].s));
                ps[i].dev = dev;
                ps[i].n = n / k;
            }
            double t0 = now_us();
            for (int i = 0; i < k; i++)
                pthread_create(&ps[i].t, NULL, producer_main, &ps[i]);
            for (int i = 0; i < k; i++)
                pthread_join(ps[i].t, NULL);
            double rate = (double)(n / k * k) / (now_us() - t0) * 1e6;
            if (rate > best)
                best = rate;
            for (int i = 0; i < k; i++)
                CHECK(aclrtDestroyStream(ps[i].s));
        }
        printf("%s{\"streams\": %d, \"completed_per_s\": %.0f}", k > 1 ? ", " : "", k, best);
    }
    printf("],\n");
}

static _Atomic long delivered;
static void count_cb(void *p)
{
    (void)p;
    atomic_fetch_add_explicit(&delivered, 1, memory_order_relaxed);
}

static void bench_callbacks(void)
{
    long n = quick ? 100000 : 1000000;
    aclrtStream s;
    CHECK(aclrtCreateStream(&s));
    start_reporter(s);
    printf("  \"callbacks_one_stream\": {");
    for (int b = 0; b < 2; b++) {
        aclrtCallbackBlockType type = b ? ACL_CALLBACK_BLOCK : ACL_CALLBACK_NO_BLOCK;
        double best = 0, best_enq = 0;
        for (int r = 0; r < 3; r++) {
            atomic_store(&delivered, 0);
            double t0 = now_us();
            for (long i = 0; i < n; i++)
                CHECK(aclrtLaunchCallback(count_cb, NULL, type, s));
            double t1 = now_us();
            CHECK(aclrtSynchronizeStream(s));
            while (atomic_load(&delivered) < n)
                ;
            double t2 = now_us();
            double all = (double)n / (t2 - t0) * 1e6, enq = (double)n / (t1 - t0) * 1e6;
            if (all > best)
                best = all;
            if (enq > best_enq)
                best_enq = enq;
        }
        printf("%s\"%s\": {\"callbacks\": %ld, \"launch_per_s\": %.0f, \"delivered_per_s\": %.0f}", b ? ", " : "",
               b ? "block" : "no_block", n, best_enq, best);
    }
    printf("},\n");
    stop_reporter(s);
    CHECK(aclrtDestroyStream(s));
}

/* ---- latencies ---- */

static _Atomic int cb_seen;
static double cb_t1;
static void stamp_cb(void *p)
{
    (void)p;
    cb_t1 = now_us();
    atomic_store(&cb_seen, 1);
}

static void bench_callback_latency(void)
{
    aclrtStream s;
    CHECK(aclrtCreateStream(&s));
    start_reporter(s);
    int n_hot = quick ? 2000 : 20000, n_cold = quick ? 50 : 300;
    double *v = malloc(sizeof(double) * (size_t)n_hot);
    printf("  \"callback_latency_us\": {");
    for (int cold = 0; cold < 2; cold++) {
        int n = cold ? n_cold : n_hot;
        for (int i = 0; i < n; i++) {
            if (cold)
                usleep(20000); /* long idle: workers and the report thread sleep */
            atomic_store(&cb_seen, 0);
            double t0 = now_us();
            CHECK(aclrtLaunchCallback(stamp_cb, NULL, ACL_CALLBACK_NO_BLOCK, s));
            while (!atomic_load(&cb_seen))
                ;
            v[i] = cb_t1 - t0;
        }
        printf("%s\"%s\": {\"samples\": %d, \"p50\": %.2f, \"p99\": %.2f}", cold ? ", " : "",
               cold ? "after_idle" : "hot", n, pct(v, (size_t)n, 0.5), pct(v, (size_t)n, 0.99));
    }
    printf("},\n");
    free(v);
    stop_reporter(s);
    CHECK(aclrtDestroyStream(s));
}

static void bench_sync_latency(void *dev)
{
    aclrtStream s;
    CHECK(aclrtCreateStream(&s));
    int n = quick ? 2000 : 20000;
    double *v = malloc(sizeof(double) * (size_t)n);
    printf("  \"synchronize_latency_us\": {");
    for (int busy = 0; busy < 2; busy++) {
        for (int i = 0; i < n; i++) {
            double t0 = now_us();
            if (busy)
                CHECK(aclrtMemsetAsync(dev, 64, i, 64, s));
            CHECK(aclrtSynchronizeStream(s));
            v[i] = now_us() - t0;
        }
        printf("%s\"%s\": {\"p50\": %.2f, \"p99\": %.2f}", busy ? ", " : "",
               busy ? "one_task_queued" : "empty", pct(v, (size_t)n, 0.5), pct(v, (size_t)n, 0.99));
    }
    printf("},\n");
    free(v);
    CHECK(aclrtDestroyStream(s));
}

static _Atomic int gate_open;
static void gate_fn(void *p)
{
    (void)p;
    while (!atomic_load(&gate_open))
        ;
}

static void bench_event_handoff(void)
{
    aclrtStream a, b;
    CHECK(aclrtCreateStream(&a));
    CHECK(aclrtCreateStream(&b));
    aclrtEvent e, e2;
    CHECK(aclrtCreateEvent(&e));
    CHECK(aclrtCreateEvent(&e2));
    int n = quick ? 300 : 3000;
    double *v = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) {
        atomic_store(&gate_open, 0);
        CHECK(aclrtLaunchHostFunc(a, gate_fn, NULL));
        CHECK(aclrtRecordEvent(e, a));
        CHECK(aclrtStreamWaitEvent(b, e));
        CHECK(aclrtRecordEvent(e2, b));
        usleep(50); /* let b park on the event */
        atomic_store(&gate_open, 1);
        CHECK(aclrtSynchronizeStream(b));
        CHECK(aclrtSynchronizeStream(a));
        float ms;
        CHECK(aclrtEventElapsedTime(&ms, e, e2));
        v[i] = (double)ms * 1000.0;
    }
    printf("  \"event_handoff_us\": {\"samples\": %d, \"p50\": %.2f, \"p99\": %.2f},\n", n, pct(v, (size_t)n, 0.5),
           pct(v, (size_t)n, 0.99));
    free(v);
    CHECK(aclrtDestroyEvent(e));
    CHECK(aclrtDestroyEvent(e2));
    CHECK(aclrtDestroyStream(a));
    CHECK(aclrtDestroyStream(b));
}

/* ---- execution followed by a callback ---- */

static void bench_exec_callback(const char *path)
{
    uint32_t id;
    CHECK(aclmdlLoadFromFile(path, &id));
    aclmdlDesc *d = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(d, id));
    aclmdlDataset *in = zero_dataset(d, 1), *out = zero_dataset(d, 0);
    aclrtStream s;
    CHECK(aclrtCreateStream(&s));
    start_reporter(s);
    int n = quick ? 2000 : 20000;
    double *v = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        CHECK(aclmdlExecute(id, in, out));
        v[i] = now_us() - t0;
    }
    double sync50 = pct(v, (size_t)n, 0.5);
    for (int i = 0; i < n; i++) {
        atomic_store(&cb_seen, 0);
        double t0 = now_us();
        CHECK(aclmdlExecuteAsync(id, in, out, s));
        CHECK(aclrtLaunchCallback(stamp_cb, NULL, ACL_CALLBACK_BLOCK, s));
        while (!atomic_load(&cb_seen))
            ;
        v[i] = cb_t1 - t0;
    }
    CHECK(aclrtSynchronizeStream(s));
    double async50 = pct(v, (size_t)n, 0.5), async99 = pct(v, (size_t)n, 0.99);
    double best = 0;
    for (int r = 0; r < 3; r++) {
        atomic_store(&delivered, 0);
        double t0 = now_us();
        for (int i = 0; i < n; i++) {
            CHECK(aclmdlExecuteAsync(id, in, out, s));
            CHECK(aclrtLaunchCallback(count_cb, NULL, ACL_CALLBACK_BLOCK, s));
        }
        CHECK(aclrtSynchronizeStream(s));
        while (atomic_load(&delivered) < n)
            ;
        double rate = (double)n / (now_us() - t0) * 1e6;
        if (rate > best)
            best = rate;
    }
    printf("  \"exec_then_block_callback\": {\"samples\": %d, \"execute_sync_p50_us\": %.2f, "
           "\"launch_to_callback_p50_us\": %.2f, \"launch_to_callback_p99_us\": %.2f, "
           "\"async_overhead_p50_us\": %.2f, \"pairs_per_s\": %.0f},\n",
           n, sync50, async50, async99, async50 - sync50, best);
    free(v);
    stop_reporter(s);
    CHECK(aclrtDestroyStream(s));
    free_dataset(in);
    free_dataset(out);
    CHECK(aclmdlDestroyDesc(d));
    CHECK(aclmdlUnload(id));
}

static const char *only; /* --only: the sections to run, or NULL for all */

static int section(const char *name)
{
    if (!only)
        return 1;
    size_t n = strlen(name);
    for (const char *p = only; (p = strstr(p, name)) != NULL; p += n)
        if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *model = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
    }
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtGetCurrentContext(&g_ctx));
    void *dev;
    CHECK(aclrtMalloc(&dev, 4096, ACL_MEM_MALLOC_HUGE_FIRST));
    const char *spin = getenv("HOSTACL_SPIN_US");
    printf("{\n  \"benchmark\": \"bench_runtime\",\n  \"cores\": %ld,\n  \"spin_us\": \"%s\",\n",
           sysconf(_SC_NPROCESSORS_ONLN), spin ? spin : "default");
    if (section("floor"))
        bench_floor();
    if (section("tasks"))
        bench_empty_tasks(dev);
    if (section("streams"))
        bench_parallel_streams(dev);
    if (section("callbacks"))
        bench_callbacks();
    if (section("latency"))
        bench_callback_latency();
    if (section("sync"))
        bench_sync_latency(dev);
    if (section("event"))
        bench_event_handoff();
    if (model && section("exec"))
        bench_exec_callback(model);
    printf("  \"quick\": %s\n}\n", quick ? "true" : "false");
    CHECK(aclrtFree(dev));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}

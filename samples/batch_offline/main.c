/*
 * batch_offline: offline inference over a folder of inputs.
 *
 *   batch_offline --model FILE --input DIR --output FILE.jsonl
 *                 [--streams S] [--interval K] [--pool P] [--topk T] [--config FILE]
 *
 * Every regular file in DIR (sorted by name) is one input: raw tensor bytes
 * of the model's first input (float16 or float32, as the model says; see
 * tools/hacl-img2bin). Inputs go round-robin to S streams (default 2); on each
 * stream a callback every K executions (default 4) writes one JSON line per
 * input to the output file:
 *   {"file": "cat.bin", "top": [[class, score], ...], "latency_ms": 12.3}
 * and returns the inputs' dataset pairs to a pool of P pairs (default 2*S*K).
 *
 * Nothing is lost: every input appears in the output file exactly once, or
 * in FILE.jsonl.errors with the reason (wrong size, unreadable, execution
 * failure). A run that was interrupted resumes: inputs already in the output
 * file are skipped (a line cut short by the interruption is dropped and its
 * input redone). A progress bar goes to stderr; the summary (images,
 * seconds, images/s, latency p50/p99) to stdout.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acl/acl.h"
#include "acl/hacl_mempool.h"

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        aclError rc_ = (call);                                                                       \
        if (rc_ != ACL_SUCCESS) {                                                                    \
            const char *m_ = aclGetRecentErrMsg();                                                   \
            fprintf(stderr, "batch_offline: %s failed: %d\n%s\n", #call, rc_, m_ ? m_ : "");        \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static aclrtContext g_context;
static atomic_int g_stop;
static haclMempool *g_pool;
static size_t g_out_size;
static int g_topk = 5;
static FILE *g_out, *g_err;
static pthread_mutex_t g_out_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long g_done, g_failed;
static double *g_latency; /* per input index */

struct item {
    const char *name;
    long index;
    double submitted;
    haclMempoolPair *pair;
};

struct batch {
    size_t n;
    struct item *items;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *report_thread(void *arg)
{
    (void)arg;
    aclrtSetCurrentContext(g_context);
    while (!atomic_load(&g_stop))
        if (aclrtProcessReport(100) != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
    return NULL;
}

/* Writes `name` as a JSON string (escaping quotes, backslashes, controls). */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void record_error(const char *name, const char *why)
{
    pthread_mutex_lock(&g_out_lock);
    fprintf(g_err, "{\"file\": ");
    json_string(g_err, name);
    fprintf(g_err, ", \"error\": ");
    json_string(g_err, why);
    fprintf(g_err, "}\n");
    fflush(g_err);
    pthread_mutex_unlock(&g_out_lock);
    atomic_fetch_add(&g_failed, 1);
}

/* On the report thread: results to host, JSON lines, pairs back. */
static void callback(void *arg)
{
    struct batch *b = arg;
    float *host = malloc(g_out_size);
    double t = now_s();
    for (size_t i = 0; i < b->n; i++) {
        struct item *it = &b->items[i];
        aclDataBuffer *buf = aclmdlGetDatasetBuffer(it->pair->output, 0);
        aclError rc = aclrtMemcpy(host, g_out_size, aclGetDataBufferAddr(buf), g_out_size, ACL_MEMCPY_DEVICE_TO_HOST);
        if (rc != ACL_SUCCESS) {
            const char *m = aclGetRecentErrMsg();
            record_error(it->name, m ? m : "cannot read the result");
        } else {
            size_t classes = g_out_size / sizeof(float);
            int top[64];
            int k = g_topk < 64 ? g_topk : 64, nk = 0;
            for (size_t c = 0; c < classes; c++) {
                int pos = nk;
                while (pos > 0 && host[c] > host[top[pos - 1]])
                    pos--;
                if (pos >= k)
                    continue;
                memmove(&top[pos + 1], &top[pos], sizeof(int) * (size_t)((nk < k ? nk : k - 1) - pos));
                top[pos] = (int)c;
                if (nk < k)
                    nk++;
            }
            g_latency[it->index] = (t - it->submitted) * 1e3;
            pthread_mutex_lock(&g_out_lock);
            fprintf(g_out, "{\"file\": ");
            json_string(g_out, it->name);
            fprintf(g_out, ", \"top\": [");
            for (int j = 0; j < nk; j++)
                fprintf(g_out, "%s[%d, %.6g]", j ? ", " : "", top[j], host[top[j]]);
            fprintf(g_out, "], \"latency_ms\": %.3f}\n", g_latency[it->index]);
            fflush(g_out);
            pthread_mutex_unlock(&g_out_lock);
            atomic_fetch_add(&g_done, 1);
        }
        CHECK(haclMempoolRelease(g_pool, it->pair));
    }
    free(host);
    free(b->items);
    free(b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Names already in the output file (resume); a partial last line is cut. */
static char **done_names(const char *path, size_t *count)
{
    char **names = NULL;
    size_t n = 0;
    FILE *f = fopen(path, "r+");
    if (!f) {
        *count = 0;
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    long good_end = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n')
            break; /* cut short: redo it */
        const char *p = strstr(line, "{\"file\": \"");
        if (p) {
            p += 10;
            const char *q = p;
            char *name = malloc((size_t)len);
            size_t k = 0;
            while (*q && *q != '"') {
                if (*q == '\\' && q[1])
                    q++;
                name[k++] = *q++;
            }
            name[k] = '\0';
            if (*q == '"') {
                names = realloc(names, (n + 1) * sizeof *names);
                names[n++] = name;
            } else {
                free(name);
            }
        }
        good_end = ftell(f);
    }
    free(line);
    fclose(f);
    if (truncate(path, good_end) != 0)
        perror("batch_offline: truncate");
    qsort(names, n, sizeof *names, cmp_str);
    *count = n;
    return names;
}

static void progress(long done, long total, double t0)
{
    int width = 40, fill = total ? (int)(width * done / total) : width;
    double el = now_s() - t0;
    fprintf(stderr, "\r[%.*s%*s] %ld/%ld %.1f images/s", fill, "########################################", width - fill,
            "", done, total, el > 0 ? (double)done / el : 0.0);
    fflush(stderr);
}

int main(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *output = NULL, *config = NULL;
    long streams = 2, interval = 4, pool_size = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--model") == 0)
            model = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--input") == 0)
            input = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--output") == 0)
            output = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--config") == 0)
            config = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--streams") == 0)
            streams = atol(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--interval") == 0)
            interval = atol(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--pool") == 0)
            pool_size = atol(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--topk") == 0)
            g_topk = atoi(argv[++i]);
        else
            model = NULL, i = argc;
    }
    if (!model || !input || !output || streams < 1 || streams > 64 || interval < 1 || g_topk < 1 || g_topk > 64 ||
        pool_size < 0) {
        fprintf(stderr, "usage: batch_offline --model FILE --input DIR --output FILE.jsonl [--streams S] "
                        "[--interval K] [--pool P] [--topk T] [--config FILE]\n");
        return 2;
    }
    if (!pool_size)
        pool_size = 2 * streams * interval;

    /* The inputs, minus those a previous run finished. */
    size_t ndone = 0;
    char **done = done_names(output, &ndone);
    DIR *d = opendir(input);
    if (!d) {
        fprintf(stderr, "batch_offline: cannot open input folder %s\n", input);
        return 2;
    }
    char **files = NULL;
    size_t nfiles = 0, skipped = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *name = e->d_name;
        if (done && bsearch(&name, done, ndone, sizeof *done, cmp_str)) {
            skipped++;
            continue;
        }
        files = realloc(files, (nfiles + 1) * sizeof *files);
        files[nfiles++] = strdup(name);
    }
    closedir(d);
    qsort(files, nfiles, sizeof *files, cmp_str);
    g_out = fopen(output, "a");
    char errpath[4096];
    snprintf(errpath, sizeof errpath, "%s.errors", output);
    g_err = fopen(errpath, "w");
    if (!g_out || !g_err) {
        fprintf(stderr, "batch_offline: cannot write %s\n", g_out ? errpath : output);
        return 2;
    }
    g_latency = calloc(nfiles ? nfiles : 1, sizeof *g_latency);

    CHECK(aclInit(config));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtCreateContext(&g_context, 0));
    uint32_t model_id;
    CHECK(aclmdlLoadFromFile(model, &model_id));
    aclmdlDesc *desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(desc, model_id));
    size_t in_size = aclmdlGetInputSizeByIndex(desc, 0);
    g_out_size = aclmdlGetOutputSizeByIndex(desc, 0);
    CHECK(haclMempoolCreate(model_id, (uint32_t)pool_size, &g_pool));
    aclrtStream *st = calloc((size_t)streams, sizeof *st);
    struct batch **open_batch = calloc((size_t)streams, sizeof *open_batch);
    pthread_t tid;
    pthread_create(&tid, NULL, report_thread, NULL);
    for (long s = 0; s < streams; s++) {
        CHECK(aclrtCreateStream(&st[s]));
        CHECK(aclrtSubscribeReport((uint64_t)tid, st[s]));
    }
    fprintf(stderr, "batch_offline: %zu inputs to run, %zu already in %s; %ld streams, a callback every %ld\n", nfiles,
            skipped, output, streams, interval);

    double t0 = now_s();
    void *host = malloc(in_size);
    long submitted = 0;
    for (size_t i = 0; i < nfiles; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", input, files[i]);
        FILE *f = fopen(path, "rb");
        struct stat sb;
        if (!f || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size != in_size ||
            fread(host, 1, in_size, f) != in_size) {
            char why[256];
            if (!f || fstat(fileno(f), &sb) != 0)
                snprintf(why, sizeof why, "cannot read the file");
            else if (!S_ISREG(sb.st_mode))
                snprintf(why, sizeof why, "not a regular file");
            else
                snprintf(why, sizeof why, "%lld bytes; the model's input takes %zu", (long long)sb.st_size, in_size);
            record_error(files[i], why);
            if (f)
                fclose(f);
            continue;
        }
        fclose(f);
        long s = submitted % streams;
        haclMempoolPair *pair = NULL;
        if (haclMempoolAcquire(g_pool, 0, &pair) != ACL_SUCCESS) {
            (void)aclGetRecentErrMsg();
            /* Every pair is in flight: hand over the open batches (their
             * callbacks release pairs), then wait. */
            for (long k = 0; k < streams; k++)
                if (open_batch[k]) {
                    CHECK(aclrtLaunchCallback(callback, open_batch[k], ACL_CALLBACK_BLOCK, st[k]));
                    open_batch[k] = NULL;
                }
            CHECK(haclMempoolAcquire(g_pool, -1, &pair));
        }
        void *dev_in = aclGetDataBufferAddr(aclmdlGetDatasetBuffer(pair->input, 0));
        CHECK(aclrtMemcpy(dev_in, in_size, host, in_size, ACL_MEMCPY_HOST_TO_DEVICE));
        double ts = now_s();
        aclError rc = aclmdlExecuteAsync(model_id, pair->input, pair->output, st[s]);
        if (rc != ACL_SUCCESS) {
            const char *m = aclGetRecentErrMsg();
            record_error(files[i], m ? m : "execution refused");
            CHECK(haclMempoolRelease(g_pool, pair));
            continue;
        }
        if (!open_batch[s]) {
            open_batch[s] = calloc(1, sizeof **open_batch);
            open_batch[s]->items = calloc((size_t)interval, sizeof(struct item));
        }
        struct batch *b = open_batch[s];
        b->items[b->n++] = (struct item){files[i], (long)i, ts, pair};
        if ((long)b->n == interval) {
            CHECK(aclrtLaunchCallback(callback, b, ACL_CALLBACK_BLOCK, st[s]));
            open_batch[s] = NULL;
        }
        submitted++;
        progress(atomic_load(&g_done), (long)nfiles, t0);
    }
    for (long s = 0; s < streams; s++)
        if (open_batch[s])
            CHECK(aclrtLaunchCallback(callback, open_batch[s], ACL_CALLBACK_BLOCK, st[s]));
    int failed_streams = 0;
    for (long s = 0; s < streams; s++) {
        aclError rc = aclrtSynchronizeStream(st[s]);
        if (rc != ACL_SUCCESS) {
            const char *m = aclGetRecentErrMsg();
            fprintf(stderr, "\nbatch_offline: stream %ld reported %d: %s\n", s, rc, m ? m : "");
            failed_streams++;
        }
    }
    double secs = now_s() - t0;
    progress(atomic_load(&g_done), (long)nfiles, t0);
    fprintf(stderr, "\n");
    for (long s = 0; s < streams; s++) {
        CHECK(aclrtUnSubscribeReport((uint64_t)tid, st[s]));
        CHECK(aclrtDestroyStream(st[s]));
    }
    atomic_store(&g_stop, 1);
    pthread_join(tid, NULL);

    long ok = atomic_load(&g_done), bad = atomic_load(&g_failed);
    double *lat = malloc((size_t)(ok ? ok : 1) * sizeof *lat);
    long nl = 0;
    for (size_t i = 0; i < nfiles; i++)
        if (g_latency[i] > 0)
            lat[nl++] = g_latency[i];
    qsort(lat, (size_t)nl, sizeof *lat, cmp_double);
    printf("batch_offline: %ld images in %.3f s, %.2f images/s, latency p50 %.1f ms p99 %.1f ms; %ld errors (%s), "
           "%zu skipped as already done\n",
           ok, secs, secs > 0 ? (double)ok / secs : 0.0, nl ? lat[nl / 2] : 0.0,
           nl ? lat[(long)(0.99 * (double)(nl - 1) + 0.5)] : 0.0, bad, errpath, skipped);
    free(lat);
    free(host);
    CHECK(haclMempoolDestroy(g_pool, -1));
    CHECK(aclmdlDestroyDesc(desc));
    CHECK(aclmdlUnload(model_id));
    CHECK(aclrtDestroyContext(g_context));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    fclose(g_out);
    fclose(g_err);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    for (size_t i = 0; i < ndone; i++)
        free(done[i]);
    free(files);
    free(done);
    free(st);
    free(open_batch);
    free(g_latency);
    return ok + bad == (long)nfiles && !failed_streams ? 0 : 1;
}

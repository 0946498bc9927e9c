/*
 * The timeline recorder (trace.h): per-thread chunked buffers of events, a
 * table of interned names, and the Chrome trace-event writer.
 */
#include "trace.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"

_Atomic int hacl_trace_enabled;

#define CHUNK 1024
#define EVENT_JSON_BYTES 110 /* an event written, on average: the size cap counts in these */
#define DEFAULT_CAP (1ull << 30)

enum { E_SLICE, E_FLOW_OUT, E_FLOW_IN, E_COUNTER, E_NAME, E_INSTANT, E_ASYNC_B, E_ASYNC_E };

struct event {
    uint8_t type;
    int pid;
    uint64_t tid;
    const char *name, *cat, *arg_name;
    uint64_t t0, t1;
    int64_t value; /* argument or counter value, or flow id */
};

/* Events are appended by one thread, the buffer's owner, without a lock:
 * it writes an event, then publishes the count with a release store; the
 * writer reads the count with an acquire load and writes that many. A
 * thread that saw recording on just before it stopped may still append to
 * its last chunk, so the writer keeps that chunk (and the buffer) instead
 * of freeing it; they are freed when the process ends. */
struct chunk {
    struct chunk *_Atomic next;
    _Atomic unsigned n;
    struct event ev[CHUNK];
};

struct tbuf {
    struct tbuf *next;
    struct chunk *head; /* the writer's */
    struct chunk *tail; /* the owner's */
    unsigned unaccounted; /* events not yet added to nevents (batched: one shared add per COUNT_BATCH) */
};
#define COUNT_BATCH 512

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tbuf *buffers;
static unsigned generation;
static char *out_path;
static uint64_t base_ns, base_tick; /* both clocks at the start */
static double ns_per_tick;            /* set when the recording stops */
static _Atomic uint64_t nevents, next_flow;
static uint64_t max_events;
static _Atomic int warned_full;

static __thread struct tbuf *my_buf;
static __thread unsigned my_gen, my_tid_gen;
static __thread uint64_t my_tid;
static __thread int my_pid = HACL_TRACE_HOST;
static __thread const char *my_row_name; /* set by hacl_trace_set_row */
/* Buffers of past recordings: kept (empty) rather than freed, since a
 * thread that saw tracing on just before it stopped may still reach its
 * old buffer; freed when the process ends. */
static struct tbuf *retired;

/* ---- interned names ---- */
static char **names;
static size_t nnames, capnames;

uint64_t hacl_trace_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned hacl_trace_generation(void)
{
    return __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
}

/* Flow ids come from a shared counter in blocks, one block per thread at
 * a time: a shared atomic per flow would bounce between the threads. */
#define FLOW_BLOCK 4096
static __thread uint64_t flow_next, flow_end;

uint64_t hacl_trace_flow(void)
{
    if (flow_next == flow_end) {
        flow_next = atomic_fetch_add(&next_flow, FLOW_BLOCK) + 1;
        flow_end = flow_next + FLOW_BLOCK;
    }
    return flow_next++;
}

static struct tbuf *buffer(void)
{
    unsigned gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    if (my_buf && my_gen == gen)
        return my_buf;
    struct tbuf *b = hacl_calloc(1, sizeof *b);
    struct chunk *c = hacl_malloc(sizeof *c);
    if (!b || !c) {
        hacl_free(b);
        hacl_free(c);
        return NULL;
    }
    atomic_init(&c->next, NULL);
    atomic_init(&c->n, 0);
    b->head = b->tail = c;
    pthread_mutex_lock(&rec_lock);
    if (generation != gen || !hacl_tracing()) { /* stopped meanwhile */
        pthread_mutex_unlock(&rec_lock);
        hacl_free(c);
        hacl_free(b);
        return NULL;
    }
    b->next = buffers;
    buffers = b;
    pthread_mutex_unlock(&rec_lock);
    my_buf = b;
    my_gen = gen;
    return b;
}

static void push(const struct event *e)
{
    if (!hacl_tracing())
        return;
    struct tbuf *b = buffer();
    if (!b)
        return;
    /* the size cap counts in batches: a shared counter touched per event
     * costs more than the rest of the event when threads record at once */
    if (++b->unaccounted >= COUNT_BATCH &&
        atomic_fetch_add_explicit(&nevents, b->unaccounted, memory_order_relaxed) >= max_events) {
        b->unaccounted = COUNT_BATCH; /* stays full: every later event checks again */
        atomic_fetch_sub_explicit(&nevents, COUNT_BATCH, memory_order_relaxed);
        if (!atomic_exchange(&warned_full, 1))
            fprintf(stderr,
                    "hostacl trace: the size limit (%llu MB) is reached after %llu events; later events are "
                    "dropped (raise it with ACL_PROF_STORAGE_LIMIT or HOSTACL_TRACE_LIMIT_MB)\n",
                    (unsigned long long)(max_events * EVENT_JSON_BYTES >> 20), (unsigned long long)max_events);
        return;
    }
    if (b->unaccounted >= COUNT_BATCH)
        b->unaccounted = 0;
    struct chunk *c = b->tail;
    unsigned n = atomic_load_explicit(&c->n, memory_order_relaxed);
    if (n == CHUNK) {
        struct chunk *nc = hacl_malloc(sizeof *nc);
        if (!nc)
            return;
        atomic_init(&nc->next, NULL);
        atomic_init(&nc->n, 0);
        atomic_store_explicit(&c->next, nc, memory_order_release);
        b->tail = c = nc;
        n = 0;
    }
    c->ev[n] = *e;
    atomic_store_explicit(&c->n, n + 1, memory_order_release);
}

const char *hacl_trace_intern(const char *name)
{
    if (!name)
        return "";
    pthread_mutex_lock(&rec_lock);
    for (size_t i = 0; i < nnames; i++) /* few distinct names: node names of the models traced */
        if (!strcmp(names[i], name)) {
            pthread_mutex_unlock(&rec_lock);
            return names[i];
        }
    const char *r = "?";
    if (nnames == capnames) {
        size_t n = capnames ? capnames * 2 : 256;
        char **nn = hacl_realloc(names, n * sizeof *nn);
        if (nn)
            names = nn, capnames = n;
    }
    char *copy = nnames < capnames ? hacl_strdup(name) : NULL;
    if (copy)
        names[nnames++] = copy, r = copy;
    pthread_mutex_unlock(&rec_lock);
    return r;
}

void hacl_trace_set_row(int pid, uint64_t tid, const char *name)
{
    my_pid = pid;
    my_tid = tid;
    my_row_name = name;
    my_tid_gen = 0;
}

int hacl_trace_self_pid(void)
{
    hacl_trace_self();
    return my_pid;
}

uint64_t hacl_trace_self(void)
{
    unsigned gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    if (my_tid && my_tid_gen == gen)
        return my_tid;
    my_tid_gen = gen;
    if (my_row_name) { /* a row of its own, named once per recording */
        hacl_trace_name(my_pid, my_tid, my_row_name);
        return my_tid;
    }
    my_tid = (uint64_t)syscall(SYS_gettid);
    char name[32] = "thread";
    pthread_getname_np(pthread_self(), name, sizeof name);
    char label[64];
    snprintf(label, sizeof label, "%s %" PRIu64, name, my_tid);
    hacl_trace_name(HACL_TRACE_HOST, my_tid, hacl_trace_intern(label));
    return my_tid;
}

void hacl_trace_slice(int pid, uint64_t tid, const char *name, const char *cat, uint64_t t0, uint64_t t1,
                      const char *arg_name, int64_t arg)
{
    struct event e = {E_SLICE, pid, tid, name, cat, arg_name, t0, t1 < t0 ? t0 : t1, arg};
    push(&e);
}

void hacl_trace_flow_point(int pid, uint64_t tid, uint64_t id, uint64_t t, int out)
{
    struct event e = {out ? E_FLOW_OUT : E_FLOW_IN, pid, tid, "task", "flow", NULL, t, t, (int64_t)id};
    push(&e);
}

void hacl_trace_api_done(const struct hacl_trace_api *a)
{
    if (hacl_tracing())
        hacl_trace_slice(hacl_trace_self_pid(), hacl_trace_self(), a->name, "api", a->t0, hacl_trace_now(), NULL, 0);
}

void hacl_trace_instant(int pid, uint64_t tid, const char *name, const char *cat, uint64_t t)
{
    struct event e = {E_INSTANT, pid, tid, name, cat, NULL, t, t, 0};
    push(&e);
}

void hacl_trace_async(int pid, uint64_t id, const char *name, const char *cat, uint64_t t, int begin)
{
    struct event e = {begin ? E_ASYNC_B : E_ASYNC_E, pid, 0, name, cat, NULL, t, t, (int64_t)id};
    push(&e);
}

void hacl_trace_counter(int pid, const char *name, uint64_t t, int64_t value)
{
    struct event e = {E_COUNTER, pid, 0, name, "counter", NULL, t, t, value};
    push(&e);
}

void hacl_trace_name(int pid, uint64_t tid, const char *name)
{
    struct event e = {E_NAME, pid, tid, name, NULL, NULL, 0, 0, 0};
    push(&e);
}

__attribute__((destructor)) static void free_retired(void)
{
    while (retired) {
        struct tbuf *next = retired->next;
        for (struct chunk *c = retired->head; c;) {
            struct chunk *n = atomic_load(&c->next);
            hacl_free(c);
            c = n;
        }
        hacl_free(retired);
        retired = next;
    }
}

int hacl_trace_start(const char *path, unsigned what, uint64_t max_bytes)
{
    pthread_mutex_lock(&rec_lock);
    if (hacl_tracing() || !(out_path = hacl_strdup(path))) {
        pthread_mutex_unlock(&rec_lock);
        return -1;
    }
    base_ns = hacl_trace_clock_ns();
    base_tick = hacl_trace_now();
    max_events = (max_bytes ? max_bytes : DEFAULT_CAP) / EVENT_JSON_BYTES;
    atomic_store(&nevents, 0);
    atomic_store(&warned_full, 0);
    __atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
    atomic_store(&hacl_trace_enabled, (int)(what | HACL_TRACE_TASKS));
    pthread_mutex_unlock(&rec_lock);
    hacl_trace_name(HACL_TRACE_HOST, 0, "host threads");
    return 0;
}

char *hacl_trace_path(void)
{
    pthread_mutex_lock(&rec_lock);
    char *p = out_path ? hacl_strdup(out_path) : NULL;
    pthread_mutex_unlock(&rec_lock);
    return p;
}

/* A name in JSON. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
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

static void write_event(FILE *f, const struct event *e, int *first)
{
    double ts = e->t0 > base_tick ? (double)(e->t0 - base_tick) * ns_per_tick / 1000.0 : 0.0;
    fputs(*first ? "\n" : ",\n", f);
    *first = 0;
    switch (e->type) {
    case E_SLICE:
        fprintf(f, "{\"ph\":\"X\",\"pid\":%d,\"tid\":%" PRIu64 ",\"ts\":%.3f,\"dur\":%.3f,\"name\":", e->pid, e->tid,
                ts, (double)(e->t1 - e->t0) * ns_per_tick / 1000.0);
        json_str(f, e->name);
        fputs(",\"cat\":", f);
        json_str(f, e->cat);
        if (e->arg_name) {
            fputs(",\"args\":{", f);
            json_str(f, e->arg_name);
            fprintf(f, ":%" PRId64 "}", e->value);
        }
        fputc('}', f);
        break;
    case E_FLOW_OUT:
    case E_FLOW_IN:
        fprintf(f, "{\"ph\":\"%s\",\"pid\":%d,\"tid\":%" PRIu64 ",\"ts\":%.3f,\"id\":%" PRId64
                   ",\"name\":\"task\",\"cat\":\"flow\"%s}",
                e->type == E_FLOW_OUT ? "s" : "f", e->pid, e->tid, ts, e->value,
                e->type == E_FLOW_IN ? ",\"bp\":\"e\"" : "");
        break;
    case E_INSTANT:
        fprintf(f, "{\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%" PRIu64 ",\"ts\":%.3f,\"name\":", e->pid, e->tid, ts);
        json_str(f, e->name);
        fputs(",\"cat\":", f);
        json_str(f, e->cat);
        fputc('}', f);
        break;
    case E_ASYNC_B:
    case E_ASYNC_E:
        fprintf(f, "{\"ph\":\"%s\",\"pid\":%d,\"tid\":0,\"ts\":%.3f,\"id\":%" PRId64 ",\"name\":",
                e->type == E_ASYNC_B ? "b" : "e", e->pid, ts, e->value);
        json_str(f, e->name);
        fputs(",\"cat\":", f);
        json_str(f, e->cat);
        fputc('}', f);
        break;
    case E_COUNTER:
        fprintf(f, "{\"ph\":\"C\",\"pid\":%d,\"ts\":%.3f,\"name\":", e->pid, ts);
        json_str(f, e->name);
        fprintf(f, ",\"args\":{\"value\":%" PRId64 "}}", e->value);
        break;
    default: /* E_NAME: a process (tid 0) or a thread */
        fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":%" PRIu64 ",\"name\":\"%s\",\"args\":{\"name\":", e->pid, e->tid,
                e->tid ? "thread_name" : "process_name");
        json_str(f, e->name);
        fputs("}}", f);
        break;
    }
}

/* The rows events used, and whether a name was given: rows without one get
 * a name from their kind, so every row of the file is named. */
struct track {
    int pid;
    uint64_t tid;
    int named;
};

static void note_track(struct track **t, size_t *n, size_t *cap, int pid, uint64_t tid, int named)
{
    for (size_t i = 0; i < *n; i++)
        if ((*t)[i].pid == pid && (*t)[i].tid == tid) {
            (*t)[i].named |= named;
            return;
        }
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        struct track *nt = hacl_realloc(*t, nc * sizeof *nt);
        if (!nt)
            return;
        *t = nt, *cap = nc;
    }
    (*t)[(*n)++] = (struct track){pid, tid, named};
}

static void name_missing(FILE *f, const struct track *t, size_t n, int *first)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].named)
            continue;
        char label[64];
        if (t[i].tid == 0)
            snprintf(label, sizeof label, t[i].pid == HACL_TRACE_HOST ? "host threads" : "device %d",
                     t[i].pid - HACL_TRACE_DEVICE(0));
        else if (t[i].tid == HACL_TRACE_COMPUTE_TID)
            snprintf(label, sizeof label, "compute");
        else if (t[i].tid >= HACL_TRACE_WORKER_TID(0) && t[i].pid != HACL_TRACE_HOST)
            snprintf(label, sizeof label, "worker %" PRIu64, t[i].tid - HACL_TRACE_WORKER_TID(0));
        else if (t[i].pid != HACL_TRACE_HOST)
            snprintf(label, sizeof label, "stream %" PRIu64, t[i].tid);
        else
            snprintf(label, sizeof label, "thread %" PRIu64, t[i].tid);
        struct event e = {E_NAME, t[i].pid, t[i].tid, label, NULL, NULL, 0, 0, 0};
        write_event(f, &e, first);
    }
}

int hacl_trace_stop(void)
{
    pthread_mutex_lock(&rec_lock);
    if (!hacl_tracing()) {
        pthread_mutex_unlock(&rec_lock);
        return -1;
    }
    atomic_store(&hacl_trace_enabled, 0);
    /* the tick's length, measured over the whole recording (at least 2 ms) */
    uint64_t end_ns = hacl_trace_clock_ns();
    if (end_ns - base_ns < 2000000u) {
        struct timespec d = {0, (long)(2000000u - (end_ns - base_ns))};
        nanosleep(&d, NULL);
        end_ns = hacl_trace_clock_ns();
    }
    uint64_t end_tick = hacl_trace_now();
    ns_per_tick = end_tick > base_tick ? (double)(end_ns - base_ns) / (double)(end_tick - base_tick) : 1.0;
    struct tbuf *list = buffers;
    buffers = NULL;
    char *path = out_path;
    out_path = NULL;
    char **nm = names;
    size_t nn = nnames;
    names = NULL, nnames = capnames = 0;
    pthread_mutex_unlock(&rec_lock);
    FILE *f = fopen(path, "w");
    int rc = f ? 0 : -1;
    if (!f)
        fprintf(stderr, "hostacl trace: cannot write %s\n", path);
    int first = 1;
    struct track *tracks = NULL;
    size_t ntracks = 0, captracks = 0;
    if (f)
        fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"hostacl\",\"base_ns\":%llu},"
                   "\"traceEvents\":[", (unsigned long long)base_ns);
    for (struct tbuf *b = list; b;) {
        struct chunk *c = b->head;
        for (;;) {
            unsigned n = atomic_load_explicit(&c->n, memory_order_acquire);
            for (unsigned i = 0; f && i < n; i++) {
                const struct event *e = &c->ev[i];
                write_event(f, e, &first);
                if (e->type != E_COUNTER && e->type != E_ASYNC_B && e->type != E_ASYNC_E) {
                    note_track(&tracks, &ntracks, &captracks, e->pid, e->tid, e->type == E_NAME);
                    note_track(&tracks, &ntracks, &captracks, e->pid, 0, e->type == E_NAME && e->tid == 0);
                } else {
                    note_track(&tracks, &ntracks, &captracks, e->pid, 0, 0);
                }
            }
            struct chunk *next = atomic_load_explicit(&c->next, memory_order_acquire);
            if (!next)
                break; /* the last one stays: its owner may still append */
            hacl_free(c);
            c = next;
        }
        b->head = c;
        struct tbuf *next = b->next;
        pthread_mutex_lock(&rec_lock);
        b->next = retired;
        retired = b;
        pthread_mutex_unlock(&rec_lock);
        b = next;
    }
    if (f) {
        name_missing(f, tracks, ntracks, &first);
        fputs("\n]}\n", f);
        if (fclose(f) != 0)
            rc = -1;
    }
    hacl_free(tracks);
    for (size_t i = 0; i < nn; i++)
        hacl_free(nm[i]);
    hacl_free(nm);
    hacl_free(path);
    return rc;
}

/*
 * The execution width policy (see width.h).
 */
#include "width.h"
#include "clock.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    FIRST_INTERVAL = 8,  /* runs between trials after a switch */
    FIRST_WAIT = 1,      /* runs before the first trial */
    MAX_FULL_INTERVAL = 1024, /* on the full team: trials of one thread */
    MAX_ONE_INTERVAL = 128,   /* on one thread: trials of the full team */
    TRIAL_RUNS = 2,
    MIN_SINCE = 4, /* a rising estimate asks for a trial no sooner */
};

enum hacl_width_mode hacl_width_mode_from_env(void)
{
    const char *v = getenv("HOSTACL_ADAPTIVE_THREADS");
    if (!v || !*v)
        return HACL_WIDTH_MEASURED;
    if (!strcmp(v, "0") || !strcmp(v, "off"))
        return HACL_WIDTH_FIXED;
    if (!strcmp(v, "one"))
        return HACL_WIDTH_FORCED_ONE;
    if (!strcmp(v, "trial"))
        return HACL_WIDTH_TRIAL_FIRST;
    return HACL_WIDTH_MEASURED;
}

void hacl_width_init(struct hacl_width_policy *w, enum hacl_width_mode mode)
{
    memset(w, 0, sizeof *w);
    w->mode = mode == HACL_WIDTH_TRIAL_FIRST ? HACL_WIDTH_MEASURED : mode;
    w->current = mode == HACL_WIDTH_FORCED_ONE ? HACL_WIDTH_ONE : HACL_WIDTH_FULL;
    w->interval = FIRST_INTERVAL;
    w->wait = FIRST_WAIT;
    if (mode == HACL_WIDTH_TRIAL_FIRST)
        w->trial = TRIAL_RUNS;
}

int hacl_width_next(const struct hacl_width_policy *w)
{
    switch (w->mode) {
    case HACL_WIDTH_FIXED: return HACL_WIDTH_FULL;
    case HACL_WIDTH_FORCED_ONE: return HACL_WIDTH_ONE;
    default: return w->trial ? !w->current : w->current;
    }
}

/* A quarter of each new time goes into the average. */
static void average(struct hacl_width_policy *w, int width, uint64_t ns)
{
    w->est[width] = w->est[width] ? w->est[width] - w->est[width] / 4 + ns / 4 : ns;
}

/* The trial of the other width is complete: does it win? */
static void judge(struct hacl_width_policy *w)
{
    int other = !w->current;
    /* one thread by its better trial run (the first runs its twins' fresh
     * code cold; its times vary little), the team by the mean of both
     * (whose rare slow runs are the point) */
    uint64_t t = other == HACL_WIDTH_ONE ? w->tried_best : w->tried / TRIAL_RUNS, cur = w->est[w->current];
    uint64_t bar = other == HACL_WIDTH_ONE ? cur - cur / 20 : cur - cur * 3 / 20;
    w->est[other] = t;
    if (t < bar) {
        w->current = other;
        w->interval = FIRST_INTERVAL;
        w->held = 0; /* a switch of width ends any hold */
    } else {
        unsigned cap = other == HACL_WIDTH_ONE ? MAX_FULL_INTERVAL : MAX_ONE_INTERVAL;
        w->interval = w->interval * 2 < cap ? w->interval * 2 : cap;
    }
    w->wait = w->interval;
    w->since = 0;
}

void hacl_width_record(struct hacl_width_policy *w, int width, uint64_t ns, int busy)
{
    w->runs[width & 1]++;
    if (w->mode != HACL_WIDTH_MEASURED || (width != HACL_WIDTH_FULL && width != HACL_WIDTH_ONE))
        return;
    if (w->trial && width != w->current) {
        w->tried += ns;
        if (!w->tried_best || ns < w->tried_best)
            w->tried_best = ns;
        if (--w->trial == 0)
            judge(w);
        return;
    }
    average(w, width, ns);
    w->since++;
    if (width == HACL_WIDTH_FULL && ++w->nfull >= MIN_SINCE && (!w->best_full || w->est[0] < w->best_full))
        w->best_full = w->est[0];
    if (w->wait)
        w->wait--;
    int slower = w->best_full && w->since >= MIN_SINCE && w->est[0] > w->best_full + w->best_full / 4;
    /* On one thread while another process still holds a core, a trial of
     * the team would wait at its barriers for the thread it displaced
     * (mobilenet_v3_large: runs of 90 ms against 6 on one thread, which
     * halved a short benchmark's throughput): none until the interval
     * has grown to its longest (a busy signal that never clears, as in a
     * container that sees the host's CPUs, still gets one now and then);
     * the machine quiet again, the next trial comes soon. */
    if (w->current == HACL_WIDTH_ONE && busy && !w->wait && w->interval < MAX_FULL_INTERVAL) {
        w->interval = w->interval * 2 < MAX_FULL_INTERVAL ? w->interval * 2 : MAX_FULL_INTERVAL;
        w->wait = w->interval;
        w->held = 1;
        return;
    }
    if (w->current == HACL_WIDTH_ONE && !busy && w->held) {
        w->held = 0;
        w->interval = FIRST_INTERVAL;
        if (w->wait > FIRST_WAIT)
            w->wait = FIRST_WAIT;
    }
    if (!w->wait && (w->current == HACL_WIDTH_ONE || busy || slower)) {
        w->trial = TRIAL_RUNS;
        w->tried = 0;
        w->tried_best = 0;
    }
}

/* ---- is the machine shared? ---- */

static pthread_mutex_t sample_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint64_t wall, self; /* ns */
    unsigned long long ticks; /* busy ticks of every CPU, steal included */
    int busy, valid;
} last;

/* This process's CPU time, every thread's. */
static uint64_t process_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Busy ticks of all CPUs from /proc/stat's first line; 0 if unreadable. */
static unsigned long long busy_ticks(void)
{
    char line[256];
    FILE *f = fopen("/proc/stat", "re");
    if (!f)
        return 0;
    unsigned long long v[8] = {0};
    int n = fgets(line, sizeof line, f)
                ? sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                         &v[5], &v[6], &v[7])
                : 0;
    fclose(f);
    /* user nice system (idle iowait) irq softirq steal */
    return n >= 4 ? v[0] + v[1] + v[2] + v[5] + v[6] + v[7] : 0;
}

int hacl_width_machine_busy(void)
{
    static const uint64_t window = 100000000ull;
    uint64_t now = hacl_now_ns();
    pthread_mutex_lock(&sample_lock);
    if (last.valid && now - last.wall < window) {
        int b = last.busy;
        pthread_mutex_unlock(&sample_lock);
        return b;
    }
    uint64_t self = process_cpu_ns();
    unsigned long long ticks = busy_ticks();
    if (last.valid && ticks) {
        long hz = sysconf(_SC_CLK_TCK);
        double all = (double)(ticks - last.ticks) * 1e9 / (double)(hz > 0 ? hz : 100);
        double others = (all - (double)(self - last.self)) / (double)(now - last.wall);
        last.busy = others >= 0.5;
    }
    last.wall = now, last.self = self, last.ticks = ticks, last.valid = ticks != 0;
    int b = last.busy;
    pthread_mutex_unlock(&sample_lock);
    return b;
}

static pthread_key_t waited_key;
static pthread_once_t waited_once = PTHREAD_ONCE_INIT;

/* The key holds fd + 2 (0: not opened yet, 1: unreadable, not tried again). */
static void close_fd(void *v)
{
    if ((intptr_t)v > 1)
        close((int)(intptr_t)v - 2);
}

static void waited_init(void)
{
    if (pthread_key_create(&waited_key, close_fd) != 0)
        waited_key = (pthread_key_t)-1;
}

uint64_t hacl_width_thread_waited(void)
{
    pthread_once(&waited_once, waited_init);
    if (waited_key == (pthread_key_t)-1)
        return 0;
    intptr_t v = (intptr_t)pthread_getspecific(waited_key);
    if (!v) {
        v = (intptr_t)open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC) + 2;
        if (pthread_setspecific(waited_key, (void *)v) != 0) {
            close_fd((void *)v);
            return 0;
        }
    }
    char buf[96];
    ssize_t n = v > 1 ? pread((int)v - 2, buf, sizeof buf - 1, 0) : -1;
    if (n <= 0)
        return 0;
    buf[n] = 0;
    unsigned long long oncpu = 0, wait = 0;
    return sscanf(buf, "%llu %llu", &oncpu, &wait) == 2 ? wait : 0;
}

/*
 * hostacl internal: the compute thread.
 *
 * Every piece of work that runs oneDNN primitives (model executions, the
 * weight conversions of a load) runs on one thread of the process, one job
 * at a time, in arrival order across every device and stream.
 *
 * Why one thread rather than a lock taken by whichever thread executes:
 * oneDNN's OpenMP runtime (libgomp) gives each thread that starts parallel
 * work a team of its own, and once the process holds more team threads than
 * it has cores, every team stops spinning between parallel regions and
 * sleeps instead (libgomp's "throttled" wait): a ResNet-50 execution then
 * pays ~150 sleeps and wake-ups and ran 8-15% slower on a device worker
 * than on the thread that had loaded the model. With one computing thread
 * there is one team, and it keeps spinning.
 *
 * Callbacks, copies and event traffic never go through it.
 *
 * Thread: any. The thread starts on first use and stops in
 * hacl_compute_stop (aclFinalize), after which first use starts it again.
 */
#ifndef HOSTACL_DEVICE_COMPUTE_H
#define HOSTACL_DEVICE_COMPUTE_H

#include <pthread.h>
#include <stdint.h>

/* Threads one operator may use (the compute_threads setting). */
void hacl_compute_configure(unsigned threads);

/* Runs fn(arg) on the compute thread and returns when it has returned.
 * Called on the compute thread itself, runs fn at once. If the thread
 * cannot be started, fn runs on the caller, still one job at a time. */
void hacl_compute_run(void (*fn)(void *), void *arg);

/* A job handed over without waiting: fn, then done, run on the compute
 * thread (or on the caller at once if the thread cannot be started). The
 * job's memory is the caller's; after done starts, the compute thread no
 * longer touches it, so done may hand it back (a stream task completes
 * itself this way: its queue holds no worker while the job waits its
 * turn). */
struct hacl_compute_job {
    void (*fn)(struct hacl_compute_job *j);
    void (*done)(struct hacl_compute_job *j);
    struct hacl_compute_job *next; /* the compute thread's */
    int finished;                  /* the compute thread's */
    pthread_cond_t *cv;            /* the compute thread's */
};
void hacl_compute_submit(struct hacl_compute_job *j);

/* Library calls on the calling thread use one OpenMP thread from now on
 * (one = 1), or the configured team again (one = 0): a product too small
 * to split loses more to waking the team than it gains (a recurrence's
 * input projections: 2x slower on two threads). */
void hacl_compute_narrow(int one);
/* The calling thread computes alone from now on (on = 1: library calls
 * get a team of one, hacl_compute_parallel runs serially), or with the
 * configured team again (on = 0). hacl_compute_narrow(0) within keeps
 * it alone. */
void hacl_compute_single(int on);
/* Threads a team has on the calling thread (the configured count, or
 * OpenMP's default). */
int hacl_compute_team_size(void);
/* Applies the configured team to the calling thread (primitives created
 * there take it) and returns the thread's previous team for
 * hacl_compute_team_end (0: nothing to restore). */
int hacl_compute_team_begin(void);
void hacl_compute_team_end(int saved);

/* How many parts to share `items` independent pieces of `work` in all
 * (multiply-adds or elements) out in over the team: 1 below 65536, where
 * waking the team costs more than it saves; else the team, at most one
 * part per item. */
int hacl_compute_parts(int64_t items, int64_t work);

/* fn(arg, i) for every i in [0, n), spread over the compute thread's
 * OpenMP team (the one oneDNN uses; serially when there is none or it has
 * one thread). Called on the compute thread. */
void hacl_compute_parallel(void (*fn)(void *arg, int index), void *arg, int n);

/* Stops and joins the compute thread (no job may be pending). */
void hacl_compute_stop(void);

#endif

/*
 * hostacl internal: how many threads a model execution should use, chosen
 * from the times of the executions before it.
 *
 * oneDNN splits each primitive's work evenly over the OpenMP team and ends
 * every parallel region at a barrier. When another process keeps one of
 * the cores busy, the team's second thread gets a core only now and then
 * (a scheduler slice at a time) and the whole team waits for it at every
 * barrier: with one of two cores busy, RegNet-Y 400MF ran twice as slow on
 * the full team as on one thread. Which width is faster depends on the
 * model and on what else the machine runs at the moment, so it is measured:
 *
 * - Each width's estimate is a moving average of its recent times: on a
 *   busy machine the full team's runs are mostly a little slow and now and
 *   then ten times slower (its second thread lost its core for a whole
 *   slice), and those rare runs are what throughput pays for.
 * - The full team is the default. When other processes keep at least
 *   half a core busy (hacl_width_machine_busy), or the computing thread
 *   waited for a CPU for a quarter of a run in two of the last four
 *   (hacl_width_thread_waited: sees a busy machine within the first runs;
 *   short waits happen on a quiet machine too), or the team's estimate
 *   rises a quarter above the best it has had, two runs on one thread are
 *   tried; one thread wins when the better of them (the first runs cold)
 *   beats the full team's estimate by 5%. A failed trial waits twice as
 *   long as the one before for the next (8 runs, up to 1024). On a quiet
 *   machine there is no trial.
 * - While one thread wins, two full-team runs are tried at intervals that
 *   double from 8 to 128 runs; the full team wins back when their mean is
 *   15% below one thread's estimate (a quiet machine; a busy one gives the
 *   team runs close to one thread's, with the rare slow ones).
 *
 * On a quiet machine this costs two clock readings per execution and a
 * look at /proc/stat every 100 ms.
 *
 * Thread: a policy is used by one thread at a time (the caller locks).
 */
#ifndef HOSTACL_DEVICE_WIDTH_H
#define HOSTACL_DEVICE_WIDTH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { HACL_WIDTH_FULL = 0, HACL_WIDTH_ONE = 1 };

/* HOSTACL_ADAPTIVE_THREADS: "0" always the full team, "1" (default)
 * measured, "one" always a single thread, "trial" measured with a trial
 * of one thread asked for at once (the last two for tests and diagnosis). */
enum hacl_width_mode { HACL_WIDTH_FIXED, HACL_WIDTH_MEASURED, HACL_WIDTH_FORCED_ONE, HACL_WIDTH_TRIAL_FIRST };
enum hacl_width_mode hacl_width_mode_from_env(void);

struct hacl_width_policy {
    enum hacl_width_mode mode;
    int current;        /* the width that is winning */
    int trial;          /* runs of the other width still to try (0: none) */
    uint64_t tried;     /* the sum of the trial's times so far */
    uint64_t tried_best; /* and the best of them */
    uint64_t est[2];    /* moving averages of times per width, ns (0: none) */
    unsigned nfull;     /* full-team runs timed */
    uint64_t best_full; /* the full team's best estimate, 0: none yet */
    unsigned wait;      /* runs before the next trial */
    unsigned interval;  /* runs between trials, doubling */
    unsigned since;     /* runs since the last trial */
    int held;           /* on one thread, trials held back by a busy machine */
    uint64_t runs[2];   /* runs per width, for profiles */
};

void hacl_width_init(struct hacl_width_policy *w, enum hacl_width_mode mode);
/* The width of the next run. */
int hacl_width_next(const struct hacl_width_policy *w);
/* A run of width `width` took ns; busy: hacl_width_machine_busy's answer. */
void hacl_width_record(struct hacl_width_policy *w, int width, uint64_t ns, int busy);

/* 1 when, over the last tenth of a second or so, processes other than
 * this one (or other guests of the machine's hypervisor: steal time) kept
 * at least half a core busy, from /proc/stat. Thread: any. */
int hacl_width_machine_busy(void);

/* Nanoseconds the calling thread has spent ready to run but waiting for a
 * CPU (/proc/thread-self/schedstat; one read of a file kept open per
 * thread), 0 when unknown. A run whose thread waited more than a
 * quarter of it ran on a machine with more work than cores. */
uint64_t hacl_width_thread_waited(void);

#ifdef __cplusplus
}
#endif

#endif

/*
 * hostacl internal: the timeline recorder. Slices (a name on a track from
 * one time to another), flows (arrows from a point on one track to a point
 * on another) and counters, kept in per-thread append-only buffers and
 * written as Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing)
 * when tracing stops. docs/semantics.md, "Timeline trace".
 *
 * Tracks: process HACL_TRACE_HOST holds one row per application, report or
 * runtime thread (its OS thread id); process HACL_TRACE_DEVICE(d) holds
 * one row per stream (the stream id), one per scheduler worker and one for
 * the compute thread.
 *
 * Off costs one relaxed load and a branch per hook (hacl_tracing()).
 *
 * Thread: any.
 */
#ifndef HOSTACL_DEVICE_TRACE_H
#define HOSTACL_DEVICE_TRACE_H

#include <stdatomic.h>
#include <stdint.h>

extern _Atomic int hacl_trace_enabled;

static inline int hacl_tracing(void)
{
    return atomic_load_explicit(&hacl_trace_enabled, memory_order_relaxed);
}

/* What a recording holds (hacl_trace_enabled is their union, 0 when off):
 * tasks, launches, flows and callbacks are always recorded. */
#define HACL_TRACE_TASKS 1u  /* streams, workers, launches, callbacks */
#define HACL_TRACE_OPS 2u    /* one slice per operator on the compute row */
#define HACL_TRACE_API 4u    /* API calls on the calling threads */
#define HACL_TRACE_MARKS 8u  /* msproftx marks and ranges */
#define HACL_TRACE_MEMORY 16u /* device memory and mempool counters */
#define HACL_TRACE_ALL 31u

static inline int hacl_tracing_of(unsigned what)
{
    return (atomic_load_explicit(&hacl_trace_enabled, memory_order_relaxed) & (int)what) != 0;
}

#define HACL_TRACE_HOST 1
#define HACL_TRACE_DEVICE(d) (100 + (d))
#define HACL_TRACE_WORKER_TID(i) (1000000u + (unsigned)(i))
#define HACL_TRACE_COMPUTE_TID 2000000u

/* Nanoseconds on the monotonic clock. */
uint64_t hacl_trace_clock_ns(void);
/* The recorder's clock: the CPU's time-stamp counter where it has one
 * (about 10 ns to read against 23 for the monotonic clock: a traced
 * callback reads it eight times), converted to time when the trace is
 * written, from the two clocks read at start and stop. Only for times
 * given to the recorder. */
#if defined(__x86_64__)
#include <x86intrin.h>
static inline uint64_t hacl_trace_now(void) { return __rdtsc(); }
#else
static inline uint64_t hacl_trace_now(void) { return hacl_trace_clock_ns(); }
#endif
/* The calling thread's row: its OS thread id on the host process, unless
 * it took another with hacl_trace_set_row (the compute thread). */
uint64_t hacl_trace_self(void);
int hacl_trace_self_pid(void);
/* The calling thread's row from now on is (pid, tid), named `name` (a
 * literal). */
void hacl_trace_set_row(int pid, uint64_t tid, const char *name);
/* A new flow id (never 0). */
uint64_t hacl_trace_flow(void);
/* Changes with every recording: names interned for one are gone after it. */
unsigned hacl_trace_generation(void);
/* Copies a name into the recorder's table (names of models' nodes live
 * shorter than the trace): the copy, or "?" when memory is short. */
const char *hacl_trace_intern(const char *name);

/* A slice [t0, t1] named `name` (a string that lives until the trace is
 * written: a literal or an interned copy) of category `cat`, with one
 * integer argument (arg_name NULL: none). */
void hacl_trace_slice(int pid, uint64_t tid, const char *name, const char *cat, uint64_t t0, uint64_t t1,
                      const char *arg_name, int64_t arg);
/* The start (out = 1) or end of flow `id` at time t on a track, inside a
 * slice of that track. */
void hacl_trace_flow_point(int pid, uint64_t tid, uint64_t id, uint64_t t, int out);
/* A point in time on a track (a mark). */
void hacl_trace_instant(int pid, uint64_t tid, const char *name, const char *cat, uint64_t t);
/* The start (begin = 1) or end of asynchronous range `id`: a span that may
 * end on another thread, drawn on a row of its own. */
void hacl_trace_async(int pid, uint64_t id, const char *name, const char *cat, uint64_t t, int begin);
/* A counter's value at t. */
void hacl_trace_counter(int pid, const char *name, uint64_t t, int64_t value);
/* Names a track or a process (shown in the timeline). */
void hacl_trace_name(int pid, uint64_t tid, const char *name);

/* An API call as a slice on the calling thread's row: the first statement
 * of a public function is HACL_TRACE_API_CALL(); the slice ends when the
 * function returns. */
struct hacl_trace_api {
    const char *name;
    uint64_t t0;
};
void hacl_trace_api_done(const struct hacl_trace_api *a);
static inline void hacl_trace_api_end(const struct hacl_trace_api *a)
{
    if (a->t0)
        hacl_trace_api_done(a);
}
#define HACL_TRACE_API_CALL()                                                                                 \
    struct hacl_trace_api hacl_api_call_ __attribute__((cleanup(hacl_trace_api_end), unused)) = {                \
        __func__, hacl_tracing_of(HACL_TRACE_API) ? hacl_trace_now() : 0}

/* Starts recording `what` (HACL_TRACE_* flags) into the file `path`
 * (written by hacl_trace_stop), keeping at most max_bytes of JSON (0: the
 * default cap, 1 GiB); 0, or -1 when already recording. */
int hacl_trace_start(const char *path, unsigned what, uint64_t max_bytes);
/* The file being recorded into, or NULL: a copy the caller frees. */
char *hacl_trace_path(void);
/* Stops and writes the file: 0, or -1 with the reason logged. */
int hacl_trace_stop(void);

#endif

/*
 * hostacl internal: the runtime anchor and its shared helpers.
 *
 * AscendCL's aclInit takes no handle, so one process-wide anchor (hacl_rt)
 * holds the initialisation state and the devices; every other object hangs
 * off a device, and aclFinalize tears all of it down.
 *
 * Lock order, the whole runtime (a lock may be taken while holding those
 * to its left, never the other way):
 *
 *   hacl_rt.lock > rtdev->lock > hacl_rt.report_lock > reporter->lock
 *   hacl_rt.lock > rtdev->lock > q->lock > sched->lock
 *   q->lock > event->lock               (a deferred wait's cancel)
 *   rtdev->lock > hw->lock              (ops->scheduler)
 *   stream->cb_lock, stream->err_lock, memory registries, the handle
 *   registry, the error store, the compute thread's lock: leaves.
 *
 * No user code runs under any of them; tasks run, and are completed, with
 * none held.
 */
#ifndef HOSTACL_RUNTIME_RUNTIME_H
#define HOSTACL_RUNTIME_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "acl/acl.h"
#include "config.h"
#include "device/device.h"
#include "device/memreg.h"
#include "device/scheduler.h"
#include "error.h"
#include "handle.h"

struct hacl_runtime {
    pthread_mutex_t lock;
    atomic_int initialized;
    uint64_t init_refs;
    struct hacl_config cfg;
    struct hacl_rtdev *devices[HACL_MAX_DEVICES];
    struct hacl_memreg host_mem; /* aclrtMallocHost allocations */
    pthread_mutex_t report_lock; /* guards reporters and stream->reporter */
    struct hacl_qnode reporters; /* every report thread with subscriptions */
};

extern struct hacl_runtime hacl_rt;

/* The runtime's side of one device: contexts, the aclrtSetDevice count and
 * the host-function thread (guarded by lock). The device below (hw) knows
 * memory and the scheduler, nothing of these. */
struct hacl_rtdev {
    int32_t id;
    struct hacl_device *hw;
    pthread_mutex_t lock;
    uint64_t set_refs;                /* aclrtSetDevice count not yet reset */
    struct hacl_context *default_ctx; /* exists while set_refs > 0 */
    struct hacl_qnode contexts;       /* every live context of the device */
    struct hacl_reporter *hostfn;     /* runs aclrtLaunchHostFunc functions */
    _Atomic int sat_mode;             /* aclrtFloatOverflowMode for new streams */
    _Atomic uint32_t overflow;        /* nonzero once detected work overflowed */
    _Atomic uint32_t res_limit[2];    /* aclrtSetDeviceResLimit per type; 0: none */
};

/* ACL_SUCCESS when initialised, else records the error for `api`. */
aclError hacl_rt_require_init(const char *api);
/* The device with that id, or NULL (records ACL_ERROR_RT_INVALID_DEVICEID). */
struct hacl_rtdev *hacl_rt_device(const char *api, int32_t id, aclError *rc);

/* ---- contexts (context.c) ---- */
struct hacl_context {
    struct hacl_obj hdr;
    struct hacl_rtdev *dev;
    int is_default;
    struct hacl_qnode dev_link;        /* in dev->contexts, under dev->lock */
    struct hacl_qnode streams;         /* its streams, under dev->lock */
    struct hacl_stream *default_stream; /* created on first use, under dev->lock */
};

/* The calling thread's current context, referenced; NULL with
 * ACL_ERROR_RT_CONTEXT_NULL recorded for `api` when there is none or it was
 * destroyed. Release with hacl_obj_put(&ctx->hdr). */
struct hacl_context *hacl_context_current(const char *api, aclError *rc);
void hacl_context_set_current(struct hacl_context *ctx);
/* Creates a context on dev (dev->lock held by the caller). */
aclError hacl_context_create_locked(struct hacl_rtdev *dev, int is_default, struct hacl_context **out);
/* Unregisters and unlinks a context (dev->lock held). Returns 0 when it was
 * already destroyed; otherwise the caller must call hacl_context_finish
 * after dropping dev->lock. */
int hacl_context_detach_locked(struct hacl_context *ctx);
/* Destroys the streams of a detached context (draining them, or discarding
 * when forced) and drops the registry's reference. */
void hacl_context_finish(struct hacl_context *ctx, int force);

/* Tears down every context of dev (finalize and forced reset). */
void hacl_device_release_contexts(struct hacl_rtdev *dev);

/* ---- streams (stream.c) ---- */
struct hacl_stream {
    struct hacl_obj hdr;
    struct hacl_context *ctx;
    struct hacl_rtdev *dev;
    struct hacl_squeue q;
    struct hacl_qnode ctx_link; /* in ctx->streams, under dev->lock */
    int is_default;
    int32_t id; /* aclrtStreamGetId: unique in the process, from 1 */
    uint32_t priority, flags;
    struct hacl_reporter *reporter; /* under hacl_rt.report_lock */
    struct hacl_reporter *hostfn_sub; /* aclrtSubscribeHostFunc's thread (report_lock); NULL: the device's */
    /* launched callbacks and host functions not yet run, and the condition
     * a draining thread waits on (under cb_lock) */
    pthread_mutex_t cb_lock;
    pthread_cond_t cb_cv;
    _Atomic long cb_pending;
    /* The first failure since the last synchronisation, and the failure
     * mode (under err_lock). Stop-on-failure tells the queue to skip work. */
    pthread_mutex_t err_lock;
    aclError err;
    char err_msg[384];
    int stop_on_failure;
    /* float overflow: detection for work launched from now on; saturation
     * fixed when the stream was created (overflow.c) */
    _Atomic uint32_t overflow_switch;
    int saturate;
    /* the registered user allocator (allocator.c), under alloc_lock */
    pthread_mutex_t alloc_lock;
    struct hacl_stream_alloc {
        void *desc, *obj;
        aclrtAllocatorAllocFunc alloc;
        aclrtAllocatorFreeFunc free;
        aclrtAllocatorAllocAdviseFunc advise;
        aclrtAllocatorGetAddrFromBlockFunc addr;
    } allocator;
    /* the model runtime instance this stream records into (capturing or
     * bound), set under ri_lock; read without it on every launch */
    pthread_mutex_t ri_lock;
    struct hacl_mdlri *_Atomic ri;
};

/* The allocator registered on s, copied into *a: 1, or 0 when none is. */
int hacl_stream_allocator(struct hacl_stream *s, struct hacl_stream_alloc *a);

/* What work launched now on s does about float overflow (overflow.c). */
#define HACL_FLOAT_DETECT 1u   /* record an overflow on the device */
#define HACL_FLOAT_SATURATE 2u /* clamp infinities, zero NaNs */
unsigned hacl_stream_float_flags(struct hacl_stream *s);
/* Records that detected work on dev overflowed. Thread: any. */
void hacl_overflow_note(struct hacl_rtdev *dev);
/* Scans n elements of a float type (others are left alone) for infinities
 * and NaNs, clamping them under HACL_FLOAT_SATURATE; 1 when any was seen. */
int hacl_float_fix(void *p, size_t n, aclDataType type, unsigned flags);

/* Resolves a stream argument: NULL means the current context's default
 * stream. The stream must belong to the caller's current context (107003).
 * Referenced; release with hacl_obj_put(&s->hdr). */
struct hacl_stream *hacl_stream_get(const char *api, aclrtStream h, aclError *rc);
/* A task of kind `ops` for s, `size` bytes, zeroed but for its header; NULL
 * with ACL_ERROR_BAD_ALLOC recorded. */
struct hacl_task *hacl_stream_task(const char *api, struct hacl_stream *s, const struct hacl_task_ops *ops,
                                   size_t size, aclError *rc);
#define HACL_STREAM_TASK(api, s, type, ops, rc) ((type *)hacl_stream_task((api), (s), (ops), sizeof(type), (rc)))
/* Queues a filled task; on refusal (stream being destroyed) drops it. */
aclError hacl_stream_submit(const char *api, struct hacl_stream *s, struct hacl_task *t);
/* The stream owning a scheduler queue, and a task's stream. */
static inline struct hacl_stream *hacl_stream_of(struct hacl_squeue *q)
{
    return (struct hacl_stream *)((char *)q - offsetof(struct hacl_stream, q));
}
static inline struct hacl_stream *hacl_task_stream(const struct hacl_task *t)
{
    return hacl_stream_of(t->q);
}
/* Records a failure on s as a task's would be (stream_ctl.c: an abort). */
void hacl_stream_record_failure(struct hacl_stream *s, aclError code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A task of s failed: the exception callbacks hear of it; and the calling
 * thread launched task seq (exception.c). */
void hacl_exception_report(struct hacl_stream *s, uint64_t seq, aclError code);
void hacl_exception_note_launch(uint64_t seq);
/* Calls the registered stream state callbacks (stream_ctl.c). */
void hacl_stream_state_changed(struct hacl_stream *s, aclrtStreamState state);
/* Records a failure of task t on its stream (the first one wins until the
 * stream is synchronised); in stop-on-failure mode later work is skipped.
 * Thread: any. */
void hacl_task_fail(struct hacl_task *t, aclError code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* aclrtCreateStreamWithConfig's checks and creation (priority 0..7, 0 runs
 * first; flags ACL_STREAM_*), for the other creation calls. */
aclError hacl_stream_create_public(const char *api, aclrtStream *stream, uint32_t priority, uint32_t flag);
/* Destroys every stream of ctx, draining them (forced: discarding). Called
 * without dev->lock. */
void hacl_context_release_streams(struct hacl_context *ctx, int force);
/* Counts a launched callback of s (before it is queued), and notes that
 * one has run or was dropped. */
void hacl_stream_callback_add(struct hacl_stream *s);
void hacl_stream_callback_done(struct hacl_stream *s);
/* Waits up to `us` for the launched callbacks of s to drop to zero:
 * returns the number still pending. */
long hacl_stream_callback_wait(struct hacl_stream *s, unsigned us);

/* ---- report threads (report.c) ---- */
struct hacl_reporter;
/* The reporter of the calling thread, referenced, or NULL. */
struct hacl_reporter *hacl_reporter_self(void);
void hacl_reporter_put(struct hacl_reporter *r);
/* Runs whatever is due to r now (from its own thread); returns how many. */
unsigned hacl_reporter_run_due(struct hacl_reporter *r);
/* Sleeps until a callback is due to r or `us` microseconds pass. */
void hacl_reporter_wait_items(struct hacl_reporter *r, unsigned us);
/* Waits until every launched callback of s has run: the caller runs those
 * its report thread has not picked up when that thread is not processing
 * reports (so nothing is lost when a report thread has gone away). */
void hacl_report_drain_stream(struct hacl_stream *s);
/* Runs, on the calling thread, the delivered callbacks of s whose report
 * thread has not been processing reports for a while (presumed gone). */
void hacl_report_steal_stranded(const struct hacl_stream *s);
/* Removes s's subscription, if any (after draining). */
void hacl_report_detach_stream(struct hacl_stream *s);
/* 1 when the calling thread is running a callback or host function of s. */
int hacl_report_in_callback_of(const struct hacl_stream *s, int *blocking);
/* Forgets every report thread (aclFinalize, after all streams are gone). */
void hacl_report_release_all(void);
/* aclrtProcessReport with its own spin before sleeping (bindings whose
 * report loops take longer between calls spin longer); api names the entry
 * point in messages. */
aclError hacl_report_process(const char *api, int32_t timeout, unsigned spin_us);
/* Stops the device's host-function thread (device teardown). */
void hacl_report_stop_hostfn(struct hacl_rtdev *dev);

/* ---- stream memory operations (value.c) ---- */
/* Completes the value waits whose condition now holds (after a write). */
/* Brackets a runtime write of device memory: while any value wait is
 * parked the write takes turns with the watcher's reads (begin returns 1
 * when it locked); end rechecks the waits. Thread: any; no lock held. */
int hacl_value_write_begin(void);
void hacl_value_write_end(int locked);
void hacl_value_recheck(void);
/* Stream tasks over a 64-bit word the runtime owns (IPC events and
 * notifies in shared memory; the word must stay mapped for the process's
 * life): wait until it meets value (ACL_STREAM_WAIT_VALUE_*), or add delta
 * to it atomically. Other processes' stores are seen by the watcher. */
aclError hacl_value_wait_word(const char *api, struct hacl_stream *s, volatile uint64_t *addr, uint64_t value,
                              uint32_t flag, uint64_t timeout_ns);
aclError hacl_value_add_word(const char *api, struct hacl_stream *s, volatile uint64_t *addr, uint64_t delta);
aclError hacl_value_set_word(const char *api, struct hacl_stream *s, volatile uint64_t *addr, uint64_t value);
/* A wait flag beyond ACL_STREAM_WAIT_VALUE_*: the word equals value, and
 * this wait takes it (sets it to 0) atomically. A timeout (ns, 0: none)
 * counts from when the wait starts; then the task fails with
 * ACL_ERROR_RT_WAIT_TIMEOUT. */
#define HACL_VALUE_WAIT_CLEAR 0x100u

/* ---- peer access (peer.c) ---- */
/* 1 when peer access is enabled between devices a and b, either way. */
int hacl_peer_enabled(int32_t a, int32_t b);
/* Forgets every enabled pair (aclFinalize). */
void hacl_peer_reset(void);

/* ---- sharing and virtual memory (ipc_mem.c, vmm.c) ---- */
/* Waits until the work queued on every stream of dev so far has run,
 * leaving the streams' recorded failures for their own synchronisation
 * (stream.c). Used before memory other work may use is unmapped. */
void hacl_device_drain(struct hacl_rtdev *dev);
/* aclrtFree: an exported allocation gets private memory back first. */
void hacl_ipc_mem_before_free(void *devPtr);
/* aclFinalize, before the devices go: unmap imports and mappings, release
 * reservations and physical memory never freed. */
void hacl_ipc_mem_finalize(void);
void hacl_vmm_finalize(void);

/* ---- finalize hooks (init.c) ---- */
/* Layers above the runtime (models) register what aclFinalize must tear
 * down; hooks run first at every teardown, newest first. Registering the
 * same function again is a no-op. 0, or -1 when the table is full.
 * Thread: any. */
int hacl_rt_on_finalize(void (*fn)(void));

/* ---- profiling (profiling.c): who drives the timeline recorder ---- */
enum hacl_prof_mode {
    HACL_PROF_OFF,
    HACL_PROF_CONFIG,    /* the aclInit JSON's "profiler" section */
    HACL_PROF_API,       /* aclprofInit .. aclprofFinalize */
    HACL_PROF_SUBSCRIBE  /* model subscriptions */
};
int hacl_prof_mode(void);
/* Moves the mode from `from` to `to` when it is `from`; returns the mode
 * it found. */
int hacl_prof_claim(int from, int to);
/* Starts a recording (HACL_TRACE_* flags; max_bytes 0: the default cap)
 * in msprof's layout under dir: dir/PROF_.../mindstudio_profiler_output/
 * msprof_<time>.json. */
aclError hacl_prof_record_start(const char *api, const char *dir, unsigned what, uint64_t max_bytes);
/* Stops it and writes the file. */
aclError hacl_prof_record_stop(const char *api);
struct hacl_config;
/* aclInit: HOSTACL_TRACE or the JSON configuration's profiler section. */
aclError hacl_prof_at_init(const struct hacl_config *cfg);
/* aclFinalize, after every task has run: writes what they recorded. */
void hacl_prof_at_finalize(void);

/* ---- unimplemented entry points (unsupported.c) ---- */
aclError hacl_unsupported(const char *api);

#endif

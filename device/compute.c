/*
 * The compute thread (see compute.h): a FIFO of jobs, each in its caller's
 * memory, served by one thread. A waiting caller (hacl_compute_run) sleeps
 * on a condition of its own; a submitted job completes through its done.
 */
#include "compute.h"
#include "trace.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static struct hacl_compute_job *head, *tail;
static pthread_t thread;
static int running, stopping;
/* Serialises jobs that run on their callers when no thread could start. */
static pthread_mutex_t fallback = PTHREAD_MUTEX_INITIALIZER;

/* oneDNN's OpenMP runtime (libgomp, loaded with it): its team size is a
 * per-thread setting, applied by the thread that computes. */
static _Atomic unsigned team;
static void (*set_team)(int);
static pthread_once_t lookup_once = PTHREAD_ONCE_INIT;

static void (*gomp_parallel)(void (*fn)(void *), void *data, unsigned nthreads, unsigned flags);
static int (*team_index)(void), (*team_size)(void), (*team_max)(void);

static void lookup(void)
{
    *(void **)&set_team = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
    /* the entry point compilers call for "#pragma omp parallel": the same
     * team oneDNN's primitives run on, so nothing is oversubscribed */
    *(void **)&gomp_parallel = dlsym(RTLD_DEFAULT, "GOMP_parallel");
    *(void **)&team_index = dlsym(RTLD_DEFAULT, "omp_get_thread_num");
    *(void **)&team_size = dlsym(RTLD_DEFAULT, "omp_get_num_threads");
    *(void **)&team_max = dlsym(RTLD_DEFAULT, "omp_get_max_threads");
}

void hacl_compute_configure(unsigned threads)
{
    pthread_once(&lookup_once, lookup);
    atomic_store(&team, threads);
}

/* The calling thread runs on one thread (hacl_compute_single). */
static __thread int single;

static void apply_team(void)
{
    unsigned t = single ? 1 : atomic_load(&team);
    if (t && set_team)
        set_team((int)t);
}

struct par {
    void (*fn)(void *arg, int index);
    void *arg;
    int n;
};

static void par_body(void *data)
{
    const struct par *p = data;
    int k = team_size(), me = team_index();
    for (int i = me; i < p->n; i += k)
        p->fn(p->arg, i);
}

int hacl_compute_parts(int64_t items, int64_t work)
{
    int team = hacl_compute_team_size();
    if (work < 65536 || team < 2 || items < 2)
        return 1;
    return items < team ? (int)items : team;
}

void hacl_compute_parallel(void (*fn)(void *arg, int index), void *arg, int n)
{
    pthread_once(&lookup_once, lookup);
    unsigned t = atomic_load(&team);
    if (n > 1 && t > 1 && !single && gomp_parallel && team_index && team_size) {
        struct par p = {fn, arg, n};
        gomp_parallel(par_body, &p, (unsigned)(n < (int)t ? n : (int)t), 0);
        return;
    }
    for (int i = 0; i < n; i++)
        fn(arg, i);
}

void hacl_compute_narrow(int one)
{
    pthread_once(&lookup_once, lookup);
    if (!set_team)
        return;
    if (one)
        set_team(1);
    else
        apply_team();
}

void hacl_compute_single(int on)
{
    pthread_once(&lookup_once, lookup);
    single = on;
    if (!set_team)
        return;
    if (on)
        set_team(1);
    else
        apply_team();
}

int hacl_compute_team_size(void)
{
    pthread_once(&lookup_once, lookup);
    unsigned t = atomic_load(&team);
    if (t)
        return (int)t;
    return team_max ? team_max() : 1;
}

int hacl_compute_team_begin(void)
{
    pthread_once(&lookup_once, lookup);
    unsigned t = atomic_load(&team);
    if (!t || !set_team || !team_max)
        return 0;
    int saved = team_max();
    set_team((int)t);
    return saved;
}

void hacl_compute_team_end(int saved)
{
    if (saved > 0 && set_team)
        set_team(saved);
}

/* Denormal floats (under 1.2e-38 in magnitude) flushed to zero in the
 * arithmetic of this thread and of the OpenMP team it starts (a new
 * thread inherits its creator's floating-point control): on Intel cores
 * an operation on a denormal takes a microcode assist of about a hundred
 * cycles. A squeeze-and-excitation gate of sigmoid(-90) is one, and a map
 * multiplied by it is full of them: efficientnet_b1's 1x1 projections on
 * 8x8 maps ran 3x slower (1.46 against 0.49 ms), the model 15-20%.
 * HOSTACL_DENORMALS=keep at the first execution keeps IEEE gradual
 * underflow. Returns the control word to restore. */
static unsigned flush_denormals(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned csr = _mm_getcsr();
    const char *v = getenv("HOSTACL_DENORMALS");
    if (!(v && !strcmp(v, "keep")))
        _mm_setcsr(csr | 0x8040); /* flush-to-zero (bit 15), denormals-are-zero (bit 6) */
    return csr;
#else
    return 0;
#endif
}

static void restore_fp(unsigned csr)
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(csr);
#else
    (void)csr;
#endif
}

static void *compute_main(void *unused)
{
    hacl_trace_set_row(HACL_TRACE_DEVICE(0), HACL_TRACE_COMPUTE_TID, "compute");
    (void)unused;
    (void)flush_denormals(); /* for the thread's life: nothing else runs on it */
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!head && !stopping)
            pthread_cond_wait(&work, &lock);
        if (!head)
            break;
        struct hacl_compute_job *j = head;
        head = j->next;
        if (!head)
            tail = NULL;
        pthread_mutex_unlock(&lock);
        apply_team();
        j->fn(j);
        if (j->done) {
            j->done(j); /* j may be gone from here on */
            pthread_mutex_lock(&lock);
        } else {
            pthread_mutex_lock(&lock);
            j->finished = 1;
            pthread_cond_signal(j->cv);
        }
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* Caller holds lock: 1 when the compute thread takes jobs. */
static int ensure_thread_locked(void)
{
    if (!running && !stopping && pthread_create(&thread, NULL, compute_main, NULL) == 0) {
        running = 1;
        pthread_setname_np(thread, "hacl-compute");
    }
    return running && !stopping;
}

static void run_here(struct hacl_compute_job *j)
{
    pthread_mutex_lock(&fallback);
    apply_team();
    unsigned csr = flush_denormals();
    j->fn(j);
    restore_fp(csr);
    pthread_mutex_unlock(&fallback);
    if (j->done)
        j->done(j);
}

/* Caller holds lock. */
static void enqueue_locked(struct hacl_compute_job *j)
{
    j->next = NULL;
    j->finished = 0;
    if (tail)
        tail->next = j;
    else
        head = j;
    tail = j;
    pthread_cond_signal(&work);
}

void hacl_compute_submit(struct hacl_compute_job *j)
{
    pthread_mutex_lock(&lock);
    if (!ensure_thread_locked()) {
        pthread_mutex_unlock(&lock);
        run_here(j);
        return;
    }
    enqueue_locked(j);
    pthread_mutex_unlock(&lock);
}

struct call {
    struct hacl_compute_job job;
    void (*fn)(void *);
    void *arg;
};

static void call_fn(struct hacl_compute_job *j)
{
    struct call *c = (struct call *)j;
    c->fn(c->arg);
}

void hacl_compute_run(void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&lock);
    if (running && pthread_equal(pthread_self(), thread)) {
        pthread_mutex_unlock(&lock);
        fn(arg);
        return;
    }
    struct call c = {{call_fn, NULL, NULL, 0, NULL}, fn, arg};
    if (!ensure_thread_locked()) {
        pthread_mutex_unlock(&lock);
        run_here(&c.job);
        return;
    }
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    c.job.cv = &cv;
    enqueue_locked(&c.job);
    while (!c.job.finished)
        pthread_cond_wait(&cv, &lock);
    pthread_mutex_unlock(&lock);
    pthread_cond_destroy(&cv);
}

void hacl_compute_stop(void)
{
    pthread_mutex_lock(&lock);
    if (!running || pthread_equal(pthread_self(), thread)) {
        pthread_mutex_unlock(&lock);
        return;
    }
    stopping = 1;
    pthread_cond_signal(&work);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    pthread_mutex_lock(&lock);
    running = 0;
    stopping = 0;
    pthread_mutex_unlock(&lock);
}

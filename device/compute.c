/*
 * The compute thread (see compute.h): a FIFO of jobs, each on its caller's
 * stack, served by one thread; the caller sleeps on its job's condition.
 */
#include "compute.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

struct job {
    void (*fn)(void *);
    void *arg;
    int done;
    pthread_cond_t cv;
    struct job *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static struct job *head, *tail;
static pthread_t thread;
static int running, stopping;
/* Serialises jobs that run on their callers when no thread could start. */
static pthread_mutex_t fallback = PTHREAD_MUTEX_INITIALIZER;

/* oneDNN's OpenMP runtime (libgomp, loaded with it): its team size is a
 * per-thread setting, applied by the thread that computes. */
static _Atomic unsigned team;
static void (*set_team)(int);
static pthread_once_t lookup_once = PTHREAD_ONCE_INIT;

static void lookup(void)
{
    *(void **)&set_team = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
}

void hacl_compute_configure(unsigned threads)
{
    pthread_once(&lookup_once, lookup);
    atomic_store(&team, threads);
}

static void apply_team(void)
{
    unsigned t = atomic_load(&team);
    if (t && set_team)
        set_team((int)t);
}

static void *compute_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!head && !stopping)
            pthread_cond_wait(&work, &lock);
        if (!head)
            break;
        struct job *j = head;
        head = j->next;
        if (!head)
            tail = NULL;
        pthread_mutex_unlock(&lock);
        apply_team();
        j->fn(j->arg);
        pthread_mutex_lock(&lock);
        j->done = 1;
        pthread_cond_signal(&j->cv);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

void hacl_compute_run(void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&lock);
    if (running && pthread_equal(pthread_self(), thread)) {
        pthread_mutex_unlock(&lock);
        fn(arg);
        return;
    }
    if (!running && !stopping) {
        if (pthread_create(&thread, NULL, compute_main, NULL) == 0) {
            running = 1;
            pthread_setname_np(thread, "hacl-compute");
        }
    }
    if (!running || stopping) {
        pthread_mutex_unlock(&lock);
        pthread_mutex_lock(&fallback);
        apply_team();
        fn(arg);
        pthread_mutex_unlock(&fallback);
        return;
    }
    struct job j = {fn, arg, 0, PTHREAD_COND_INITIALIZER, NULL};
    if (tail)
        tail->next = &j;
    else
        head = &j;
    tail = &j;
    pthread_cond_signal(&work);
    while (!j.done)
        pthread_cond_wait(&j.cv, &lock);
    pthread_mutex_unlock(&lock);
    pthread_cond_destroy(&j.cv);
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

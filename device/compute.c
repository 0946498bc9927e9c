/*
 * The compute turn (see compute.h): a ticket lock, so waiting executions
 * are served in arrival order and a busy stream cannot starve another.
 */
#include "compute.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static unsigned long next_ticket, serving;

/* oneDNN's OpenMP runtime (libgomp, loaded with it): its team size is a
 * per-thread setting, so each thread that computes sets it. */
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

void hacl_compute_enter(void)
{
    unsigned t = atomic_load(&team);
    if (t && set_team)
        set_team((int)t);
    pthread_mutex_lock(&lock);
    unsigned long mine = next_ticket++;
    while (serving != mine)
        pthread_cond_wait(&turn, &lock);
    pthread_mutex_unlock(&lock);
}

void hacl_compute_leave(void)
{
    pthread_mutex_lock(&lock);
    serving++;
    pthread_cond_broadcast(&turn);
    pthread_mutex_unlock(&lock);
}

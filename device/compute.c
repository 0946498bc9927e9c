/*
 * The compute turn (see compute.h): a ticket lock, so waiting executions
 * are served in arrival order and a busy stream cannot starve another.
 */
#include "compute.h"

#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static unsigned long next_ticket, serving;

void hacl_compute_enter(void)
{
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

/*
 * hostacl internal: the compute turn.
 *
 * Model executions use every core for one operator at a time (oneDNN's
 * OpenMP team). Two executions computing at once would put two teams on the
 * same cores and both would crawl (spinning OpenMP threads time-sliced
 * against each other), so executions take turns: first come, first served,
 * across every device and stream of the process. Callbacks, copies and
 * event traffic never take a turn.
 *
 * Thread: any.
 */
#ifndef HOSTACL_DEVICE_COMPUTE_H
#define HOSTACL_DEVICE_COMPUTE_H

/* Threads one operator may use (the compute_threads setting); taking a
 * turn applies it to the calling thread's OpenMP team. */
void hacl_compute_configure(unsigned threads);
void hacl_compute_enter(void);
void hacl_compute_leave(void);

#endif

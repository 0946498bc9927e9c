/*
 * hostacl internal: the intrusive doubly linked queue.
 *
 * Two pointers embedded in the owner; a queue head is a node linked to
 * itself. Used for stream task lists, the scheduler's ready list, report
 * callback lists, per-device context lists and the pool's free lists, so
 * linking never allocates. Not thread-safe: the owner's lock protects it.
 */
#ifndef HOSTACL_DEVICE_QUEUE_H
#define HOSTACL_DEVICE_QUEUE_H

#include <stddef.h>

struct hacl_qnode {
    struct hacl_qnode *next;
    struct hacl_qnode *prev;
};

#define HACL_QUEUE_DATA(node, type, field) ((type *)((char *)(node)-offsetof(type, field)))

static inline void hacl_queue_init(struct hacl_qnode *q)
{
    q->next = q;
    q->prev = q;
}

static inline int hacl_queue_empty(const struct hacl_qnode *q)
{
    return q->next == q;
}

static inline void hacl_queue_push_tail(struct hacl_qnode *q, struct hacl_qnode *n)
{
    n->next = q;
    n->prev = q->prev;
    n->prev->next = n;
    q->prev = n;
}

static inline void hacl_queue_push_head(struct hacl_qnode *q, struct hacl_qnode *n)
{
    n->prev = q;
    n->next = q->next;
    n->next->prev = n;
    q->next = n;
}

static inline void hacl_queue_remove(struct hacl_qnode *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n;
    n->prev = n;
}

static inline struct hacl_qnode *hacl_queue_head(const struct hacl_qnode *q)
{
    return q->next == q ? NULL : q->next;
}

/* Moves every node of `from` to the tail of `to`, leaving `from` empty. */
static inline void hacl_queue_move(struct hacl_qnode *from, struct hacl_qnode *to)
{
    if (hacl_queue_empty(from))
        return;
    struct hacl_qnode *first = from->next, *last = from->prev;
    first->prev = to->prev;
    to->prev->next = first;
    last->next = to;
    to->prev = last;
    hacl_queue_init(from);
}

#define HACL_QUEUE_FOREACH(n, q) for ((n) = (q)->next; (n) != (q); (n) = (n)->next)

#endif

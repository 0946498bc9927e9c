/*
 * The runtime's interface to hostacl's companion libraries (libacl_dvpp):
 * a few entry points that leave libascendcl.so under the haclCompanion
 * prefix, declared in no public header. A companion library queues its work
 * on streams as "companion" tasks, checks device memory and records errors
 * exactly as the runtime's own calls do.
 *
 * Thread: any.
 */
#include <stdarg.h>
#include <stdio.h>

#include "memory.h"
#include "runtime.h"

/* A task running fn(arg) on a device worker, in stream order; fn returns
 * an aclError (0: success) and fills why on failure, which then fails the
 * stream as any task's failure does. drop(arg) runs once afterwards, or
 * instead when the task is discarded. */
struct companion_task {
    struct hacl_task hdr;
    aclError (*fn)(void *arg, char *why, size_t whylen);
    void (*drop)(void *arg);
    void *arg;
    const char *what;
};
_Static_assert(sizeof(struct companion_task) <= HACL_TASK_SLOT, "a companion task fits in a node");

static void companion_drop(struct hacl_task *t)
{
    struct companion_task *c = (struct companion_task *)t;
    if (c->drop)
        c->drop(c->arg);
}

static enum hacl_task_result companion_run(struct hacl_task *t)
{
    struct companion_task *c = (struct companion_task *)t;
    char why[256] = "";
    aclError rc = c->fn(c->arg, why, sizeof why);
    if (rc != ACL_SUCCESS)
        hacl_task_fail(t, rc, "%s: %s", c->what, why[0] ? why : "failed");
    companion_drop(t);
    return HACL_TASK_DONE;
}

static const struct hacl_task_ops companion_ops = {
    .what = "dvpp", .flags = HACL_TASK_WORK, .run = companion_run, .drop = companion_drop};
/* Kernels run on the host (the Ascend C stand-in): on the launching thread
 * when the stream is idle, as a device would start them at once. */
static const struct hacl_task_ops kernel_ops = {
    .what = "kernel", .flags = HACL_TASK_WORK | HACL_TASK_INLINE, .run = companion_run, .drop = companion_drop};

static aclError launch(const char *api, aclrtStream stream, const struct hacl_task_ops *ops,
                       aclError (*fn)(void *arg, char *why, size_t whylen), void (*drop)(void *arg), void *arg)
{
    aclError rc = hacl_rt_require_init(api);
    struct hacl_stream *s = rc == ACL_SUCCESS ? hacl_stream_get(api, stream, &rc) : NULL;
    struct companion_task *c = s ? HACL_STREAM_TASK(api, s, struct companion_task, ops, &rc) : NULL;
    if (!c) {
        if (s)
            hacl_obj_put(&s->hdr);
        if (drop)
            drop(arg);
        return rc;
    }
    c->fn = fn;
    c->drop = drop;
    c->arg = arg;
    c->what = api;
    rc = hacl_stream_submit(api, s, &c->hdr); /* drops it when refused */
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclCompanionLaunch(const char *api, aclrtStream stream,
                                                 aclError (*fn)(void *arg, char *why, size_t whylen),
                                                 void (*drop)(void *arg), void *arg)
{
    return launch(api, stream, &companion_ops, fn, drop, arg);
}

ACL_FUNC_VISIBILITY aclError haclCompanionLaunchKernel(const char *api, aclrtStream stream,
                                                       aclError (*fn)(void *arg, char *why, size_t whylen),
                                                       void (*drop)(void *arg), void *arg)
{
    return launch(api, stream, &kernel_ops, fn, drop, arg);
}

ACL_FUNC_VISIBILITY int haclCompanionMemOk(const void *p, size_t n)
{
    struct hacl_ptrinfo pi;
    hacl_mem_classify(p, &pi);
    return pi.where != HACL_PTR_UNKNOWN_HOST && hacl_mem_range_ok(p, n, &pi);
}

ACL_FUNC_VISIBILITY aclError haclCompanionError(aclError code, const char *api, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hacl_err(code, api, "%s", msg);
}

ACL_FUNC_VISIBILITY aclError haclCompanionRequireContext(const char *api)
{
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (ctx)
        hacl_obj_put(&ctx->hdr);
    return rc;
}

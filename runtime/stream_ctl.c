/*
 * Controlling streams from outside: aclrtStreamAbort and aclrtStreamStop,
 * and the stream state callbacks (aclrtRegStreamStateCallback).
 *
 * Abort drops the tasks queued on the stream that have not started, takes
 * back a deferred wait (an event or value wait, which a device would
 * abandon), lets a task already running finish (host code cannot be
 * interrupted), and makes the stream's next synchronisation return
 * ACL_ERROR_RT_STREAM_ABORT. Work queued after the call runs as usual.
 * Dropped callbacks are reported cancelled, as in a forced destroy.
 *
 * Stop stops what is executing "without cleaning tasks": tasks here run to
 * completion once started, so there is nothing to stop; it checks its
 * argument and returns.
 *
 * State callbacks are called on the thread that creates or destroys a
 * stream (explicit or default), after creation and before destruction,
 * with no runtime lock held.
 *
 * Thread: any.
 */
#include <string.h>

#include "device/alloc.h"
#include "device/trace.h"
#include "runtime.h"

#define MAX_STATE_CALLBACKS 16

static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct state_cb {
    char name[64];
    aclrtStreamStateCallback fn;
    void *args;
} state_cbs[MAX_STATE_CALLBACKS];
static unsigned nstate_cbs;

/* A stream the call may control: explicit, not bound to a model runtime
 * instance. */
static struct hacl_stream *controllable(const char *api, aclrtStream stream, aclError *rc)
{
    if (!stream) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "stream must not be NULL (the default stream is not supported)");
        return NULL;
    }
    struct hacl_stream *s = hacl_stream_get(api, stream, rc);
    if (s && atomic_load(&s->ri)) {
        *rc = hacl_err(ACL_ERROR_RT_STREAM_MODEL, api, "stream %p records into a model runtime instance", stream);
        hacl_obj_put(&s->hdr);
        s = NULL;
    }
    return s;
}

ACL_FUNC_VISIBILITY aclError aclrtStreamAbort(aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_stream *s = controllable(__func__, stream, &rc);
    if (!s)
        return rc;
    uint64_t pending = hacl_squeue_abort(&s->q);
    if (pending)
        hacl_stream_record_failure(s, ACL_ERROR_RT_STREAM_ABORT,
                                   "the stream was aborted with %llu task(s) not finished", (unsigned long long)pending);
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtStreamStop(aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_stream *s = controllable(__func__, stream, &rc);
    if (s)
        hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtRegStreamStateCallback(const char *regName, aclrtStreamStateCallback callback,
                                                         void *args)
{
    if (!regName || !*regName)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "regName must name the registration");
    if (strlen(regName) >= sizeof state_cbs[0].name)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "regName is longer than %zu bytes", sizeof state_cbs[0].name - 1);
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&cb_lock);
    unsigned i = 0;
    while (i < nstate_cbs && strcmp(state_cbs[i].name, regName) != 0)
        i++;
    if (!callback) { /* unregisters */
        if (i < nstate_cbs)
            state_cbs[i] = state_cbs[--nstate_cbs];
        else
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "no stream state callback is registered as \"%s\"", regName);
    } else if (i < nstate_cbs) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM,
                      "\"%s\" is already registered (register NULL under that name to remove it first)", regName);
    } else if (nstate_cbs == MAX_STATE_CALLBACKS) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "at most %d stream state callbacks", MAX_STATE_CALLBACKS);
    } else {
        struct state_cb *c = &state_cbs[nstate_cbs++];
        strcpy(c->name, regName);
        c->fn = callback;
        c->args = args;
    }
    pthread_mutex_unlock(&cb_lock);
    return rc;
}

void hacl_stream_state_changed(struct hacl_stream *s, aclrtStreamState state)
{
    if (__atomic_load_n(&nstate_cbs, __ATOMIC_RELAXED) == 0)
        return;
    struct state_cb copy[MAX_STATE_CALLBACKS];
    pthread_mutex_lock(&cb_lock);
    unsigned n = nstate_cbs;
    memcpy(copy, state_cbs, n * sizeof copy[0]);
    pthread_mutex_unlock(&cb_lock);
    for (unsigned i = 0; i < n; i++)
        copy[i].fn(s, state, copy[i].args);
}

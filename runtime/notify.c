/*
 * Notifies: a signal one stream sends (aclrtRecordNotify) and another
 * stream, possibly in another process, waits for and consumes
 * (aclrtWaitAndResetNotify).
 *
 * A notify's state is one word in a slot of the creating process's sharing
 * registry (ipc.h): 1 when recorded and not yet consumed. A record sets
 * it; a wait waits until it is set and takes it (sets it back to 0) in one
 * atomic step, so one record releases one wait, and records made while
 * none waits leave it set once (a notify is a flag, not a count). Both are
 * stream tasks over the shared word (value.c), so a waiting stream holds
 * no worker and sees another process's record within the value watcher's
 * period. A wait's timeout (seconds; 0: none) fails it with
 * ACL_ERROR_RT_WAIT_TIMEOUT.
 *
 * Thread: any.
 */
#include <string.h>

#include "device/alloc.h"
#include "ipc.h"
#include "runtime.h"

enum { W_STATE };

struct hacl_notify {
    struct hacl_obj hdr;
    struct hacl_ipc_slot *slot; /* in this process's registry, or an exporter's */
    int64_t own;                /* its slot index here; -1 when imported */
    uint32_t id;                /* its slot index in its creator's registry */
};

static void notify_release(struct hacl_obj *o)
{
    struct hacl_notify *n = (struct hacl_notify *)o;
    if (n->own >= 0)
        hacl_ipc_slot_free((uint32_t)n->own);
    hacl_free(n);
}

static aclError notify_register(const char *api, struct hacl_notify *n, aclrtNotify *out)
{
    if (hacl_handle_register(&n->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&n->hdr);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating a notify");
    }
    *out = n;
    return ACL_SUCCESS;
}

static struct hacl_notify *notify_get(const char *api, aclrtNotify h, aclError *rc)
{
    if (!h) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "notify must not be NULL");
        return NULL;
    }
    if ((*rc = hacl_rt_require_init(api)) != ACL_SUCCESS)
        return NULL;
    struct hacl_notify *n = (struct hacl_notify *)hacl_handle_get(h, HACL_KIND_NOTIFY);
    if (!n)
        *rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p is not a live notify", h);
    return n;
}

ACL_FUNC_VISIBILITY aclError aclrtCreateNotify(aclrtNotify *notify, uint64_t flag)
{
    if (!notify)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "notify must not be NULL");
    if (flag != ACL_NOTIFY_DEFAULT && flag != ACL_NOTIFY_DEVICE_USE_ONLY)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flag %#llx is neither ACL_NOTIFY_DEFAULT nor ACL_NOTIFY_DEVICE_USE_ONLY",
                        (unsigned long long)flag);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    hacl_obj_put(&ctx->hdr);
    uint32_t slot;
    if ((rc = hacl_ipc_slot_take(__func__, HACL_IPC_NOTIFY, -1, 0, 0, &slot)) != ACL_SUCCESS)
        return rc;
    struct hacl_notify *n = hacl_calloc(1, sizeof *n);
    if (!n) {
        hacl_ipc_slot_free(slot);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a notify");
    }
    hacl_obj_init(&n->hdr, HACL_KIND_NOTIFY, notify_release);
    n->slot = hacl_ipc_slot_at(slot);
    n->own = slot;
    n->id = slot;
    return notify_register(__func__, n, notify);
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyNotify(aclrtNotify notify)
{
    aclError rc;
    struct hacl_notify *n = notify_get(__func__, notify, &rc);
    if (!n)
        return rc;
    if (hacl_handle_unregister(&n->hdr))
        hacl_obj_put(&n->hdr);
    else
        rc = HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p was destroyed concurrently", notify);
    hacl_obj_put(&n->hdr);
    return rc;
}

/* Runs fn(api, n, s, arg) with the notify and the stream looked up. */
static aclError on_stream(const char *api, aclrtNotify notify, aclrtStream stream,
                          aclError (*fn)(const char *, struct hacl_notify *, struct hacl_stream *, uint32_t),
                          uint32_t arg)
{
    aclError rc;
    struct hacl_notify *n = notify_get(api, notify, &rc);
    if (!n)
        return rc;
    struct hacl_stream *s = hacl_stream_get(api, stream, &rc);
    if (s) {
        rc = fn(api, n, s, arg);
        hacl_obj_put(&s->hdr);
    }
    hacl_obj_put(&n->hdr);
    return rc;
}

static aclError record(const char *api, struct hacl_notify *n, struct hacl_stream *s, uint32_t unused)
{
    (void)unused;
    return hacl_value_set_word(api, s, (volatile uint64_t *)&n->slot->words[W_STATE], 1);
}

static aclError wait_and_reset(const char *api, struct hacl_notify *n, struct hacl_stream *s, uint32_t timeout_s)
{
    return hacl_value_wait_word(api, s, (volatile uint64_t *)&n->slot->words[W_STATE], 1, HACL_VALUE_WAIT_CLEAR,
                                (uint64_t)timeout_s * 1000000000u);
}

ACL_FUNC_VISIBILITY aclError aclrtRecordNotify(aclrtNotify notify, aclrtStream stream)
{
    return on_stream(__func__, notify, stream, record, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtWaitAndResetNotify(aclrtNotify notify, aclrtStream stream, uint32_t timeout)
{
    return on_stream(__func__, notify, stream, wait_and_reset, timeout);
}

ACL_FUNC_VISIBILITY aclError aclrtGetNotifyId(aclrtNotify notify, uint32_t *notifyId)
{
    if (!notifyId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "notifyId must not be NULL");
    aclError rc;
    struct hacl_notify *n = notify_get(__func__, notify, &rc);
    if (!n)
        return rc;
    *notifyId = n->id;
    hacl_obj_put(&n->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtNotifyGetExportKey(aclrtNotify notify, char *key, size_t len, uint64_t flags)
{
    if (!key)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "key must not be NULL");
    if (len < HACL_IPC_KEY_LEN)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "len %zu is too short for a key (%d bytes)", len, HACL_IPC_KEY_LEN);
    if (flags & ~ACL_RT_NOTIFY_EXPORT_FLAG_DISABLE_PID_VALIDATION)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flags %#llx has bits that are not ACL_RT_NOTIFY_EXPORT_FLAG_*",
                        (unsigned long long)flags);
    aclError rc;
    struct hacl_notify *n = notify_get(__func__, notify, &rc);
    if (!n)
        return rc;
    if (n->own < 0) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "notify %p was imported: only its creator can export it", notify);
    } else {
        struct hacl_ipc_ref ref;
        hacl_ipc_publish((uint32_t)n->own, (flags & ACL_RT_NOTIFY_EXPORT_FLAG_DISABLE_PID_VALIDATION) != 0, &ref);
        hacl_ipc_format_key(&ref, key, len);
    }
    hacl_obj_put(&n->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtNotifySetImportPid(aclrtNotify notify, int32_t *pid, size_t num)
{
    aclError rc;
    struct hacl_notify *n = notify_get(__func__, notify, &rc);
    if (!n)
        return rc;
    if (n->own < 0 || atomic_load(&n->slot->nonce) == 0) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "notify %p has no export key yet (aclrtNotifyGetExportKey)", notify);
    } else {
        struct hacl_ipc_ref ref;
        hacl_ipc_publish((uint32_t)n->own, 0, &ref); /* already published: names it */
        rc = hacl_ipc_allow(__func__, &ref, pid, num);
    }
    hacl_obj_put(&n->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtNotifyImportByKey(aclrtNotify *notify, const char *key, uint64_t flags)
{
    if (!notify || !key)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "notify and key must not be NULL");
    if (flags & ~ACL_RT_NOTIFY_IMPORT_FLAG_ENABLE_PEER_ACCESS)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flags %#llx has bits that are not ACL_RT_NOTIFY_IMPORT_FLAG_*",
                        (unsigned long long)flags);
    struct hacl_ipc_ref ref;
    struct hacl_ipc_slot *slot;
    aclError rc = hacl_ipc_import_key(__func__, key, HACL_IPC_NOTIFY, "aclrtNotifyGetExportKey", &ref, &slot);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_notify *n = hacl_calloc(1, sizeof *n);
    if (!n)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory importing a notify");
    hacl_obj_init(&n->hdr, HACL_KIND_NOTIFY, notify_release);
    n->slot = slot;
    n->own = -1;
    n->id = ref.slot;
    return notify_register(__func__, n, notify);
}

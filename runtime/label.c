/*
 * Labels and branches inside a model runtime instance.
 *
 * A label is a position: aclrtSetLabel records a label task carrying the
 * label's mark. aclrtSwitchLabelByIndex records a branch task; when a
 * replay reaches it, it reads a uint32 index from device memory and sets
 * the queue's skip_to to the mark of that label of its list, so the queue
 * drops the tasks up to that label (device/scheduler.h). Label lists copy
 * the marks, so labels may be destroyed once a list holds them; recorded
 * branches hold their list.
 *
 * Both need a recording stream (captured or bound): on a stream that runs
 * its work live a branch could skip work that was never meant to be part of
 * it, so they are refused there with ACL_ERROR_RT_STREAM_MODEL.
 *
 * Thread: any.
 */
#include "device/alloc.h"
#include "device/trace.h"
#include "mdlri.h"
#include "memory.h"
#include "runtime.h"

struct hacl_label {
    struct hacl_obj hdr;
    uintptr_t mark;
};

struct hacl_label_list {
    struct hacl_obj hdr;
    uint32_t n;
    uintptr_t marks[];
};

static _Atomic uintptr_t next_mark;

static void plain_release(struct hacl_obj *o)
{
    hacl_free(o);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateLabel(aclrtLabel *label)
{
    if (!label)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "label must not be NULL");
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    hacl_obj_put(&ctx->hdr);
    struct hacl_label *l = hacl_calloc(1, sizeof *l);
    if (!l)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a label");
    hacl_obj_init(&l->hdr, HACL_KIND_LABEL, plain_release);
    l->mark = atomic_fetch_add(&next_mark, 1) + 1;
    if (hacl_handle_register(&l->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&l->hdr);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a label");
    }
    *label = l;
    return ACL_SUCCESS;
}

static aclError destroy_handle(const char *api, void *h, enum hacl_kind kind, const char *what)
{
    if (!h)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the %s must not be NULL", what);
    struct hacl_obj *o = hacl_handle_get(h, kind);
    if (!o)
        return hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p is not a live %s", h, what);
    aclError rc = ACL_SUCCESS;
    if (hacl_handle_unregister(o))
        hacl_obj_put(o);
    else
        rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p was destroyed concurrently", h);
    hacl_obj_put(o);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyLabel(aclrtLabel label)
{
    return destroy_handle(__func__, label, HACL_KIND_LABEL, "label");
}

ACL_FUNC_VISIBILITY aclError aclrtCreateLabelList(aclrtLabel *labels, size_t num, aclrtLabelList *labelList)
{
    if (!labels || !labelList)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "labels and labelList must not be NULL");
    if (num == 0 || num > 65536)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "num %zu must be 1..65536", num);
    struct hacl_label_list *ll = hacl_calloc(1, sizeof *ll + num * sizeof ll->marks[0]);
    if (!ll)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a label list");
    hacl_obj_init(&ll->hdr, HACL_KIND_LABEL_LIST, plain_release);
    ll->n = (uint32_t)num;
    for (size_t i = 0; i < num; i++) {
        struct hacl_label *l = (struct hacl_label *)hacl_handle_get(labels[i], HACL_KIND_LABEL);
        if (!l) {
            hacl_obj_put(&ll->hdr);
            return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "labels[%zu] (%p) is not a live label", i, labels[i]);
        }
        ll->marks[i] = l->mark;
        hacl_obj_put(&l->hdr);
    }
    if (hacl_handle_register(&ll->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&ll->hdr);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a label list");
    }
    *labelList = ll;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyLabelList(aclrtLabelList labelList)
{
    return destroy_handle(__func__, labelList, HACL_KIND_LABEL_LIST, "label list");
}

/* ---- tasks ---- */

static enum hacl_task_result label_run(struct hacl_task *t)
{
    (void)t; /* a position: the scheduler ends a skip here */
    return HACL_TASK_DONE;
}

static const struct hacl_task_ops label_ops = {.what = "label",
                                               .flags = HACL_TASK_INLINE | HACL_TASK_LABEL,
                                               .run = label_run,
                                               .capture = hacl_task_capture_plain};

struct switch_task {
    struct hacl_branch_task b; /* marks point into list */
    struct hacl_label_list *list; /* referenced */
    const uint32_t *index;
    uint32_t max;
};
_Static_assert(sizeof(struct switch_task) <= HACL_TASK_SLOT, "a switch task fits in a node");

static void switch_drop(struct hacl_task *t)
{
    hacl_obj_put(&((struct switch_task *)t)->list->hdr);
}

static aclError switch_replay(struct hacl_task *t)
{
    hacl_obj_ref(&((struct switch_task *)t)->list->hdr);
    return ACL_SUCCESS;
}

static enum hacl_task_result switch_run(struct hacl_task *t)
{
    struct switch_task *sw = (struct switch_task *)t;
    struct hacl_ptrinfo pi;
    hacl_mem_classify(sw->index, &pi);
    if (pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(sw->index, sizeof(uint32_t), &pi)) {
        hacl_task_fail(t, ACL_ERROR_RT_PARAM_INVALID, "the branch index at %p is no longer device memory",
                       (const void *)sw->index);
    } else {
        uint32_t i = *sw->index;
        if (i >= sw->max)
            hacl_task_fail(t, ACL_ERROR_RT_PARAM_INVALID, "branch index %u is not below maxValue %u: no branch taken",
                           i, sw->max);
        else
            atomic_store_explicit(&t->q->skip_to, sw->b.marks[i], memory_order_relaxed);
    }
    switch_drop(t);
    return HACL_TASK_DONE;
}

static const struct hacl_task_ops switch_ops = {.what = "label switch",
                                                .flags = HACL_TASK_INLINE | HACL_TASK_BRANCH,
                                                .run = switch_run,
                                                .drop = switch_drop,
                                                .capture = hacl_task_capture_plain,
                                                .replay = switch_replay,
                                                .forget = switch_drop};

/* The stream, which must be recording into an instance. */
static struct hacl_stream *recording_stream(const char *api, aclrtStream stream, aclError *rc)
{
    struct hacl_stream *s = hacl_stream_get(api, stream, rc);
    if (s && !atomic_load(&s->ri)) {
        *rc = hacl_err(ACL_ERROR_RT_STREAM_MODEL, api,
                       "stream %p is not recording into a model runtime instance (labels and branches exist only "
                       "inside one: capture the stream or bind it to an instance being built)",
                       stream);
        hacl_obj_put(&s->hdr);
        s = NULL;
    }
    return s;
}

ACL_FUNC_VISIBILITY aclError aclrtSetLabel(aclrtLabel label, aclrtStream stream)
{
    if (!label)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "label must not be NULL");
    struct hacl_label *l = (struct hacl_label *)hacl_handle_get(label, HACL_KIND_LABEL);
    if (!l)
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live label", label);
    uintptr_t mark = l->mark;
    hacl_obj_put(&l->hdr);
    aclError rc;
    struct hacl_stream *s = recording_stream(__func__, stream, &rc);
    if (!s)
        return rc;
    struct hacl_label_task *t = HACL_STREAM_TASK(__func__, s, struct hacl_label_task, &label_ops, &rc);
    if (t) {
        t->mark = mark;
        rc = hacl_stream_submit(__func__, s, &t->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtSwitchLabelByIndex(void *ptr, uint32_t maxValue, aclrtLabelList labelList,
                                                     aclrtStream stream)
{
    if (!ptr || !labelList)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "ptr and labelList must not be NULL");
    struct hacl_ptrinfo pi;
    hacl_mem_classify(ptr, &pi);
    if (pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(ptr, sizeof(uint32_t), &pi))
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "ptr %p must point at 4 bytes of device memory (the branch index)",
                        ptr);
    if ((uintptr_t)ptr % sizeof(uint32_t))
        return HACL_ERR(ACL_ERROR_RT_ADDR_UNALIGNED, "ptr %p is not 4-byte aligned", ptr);
    struct hacl_label_list *ll = (struct hacl_label_list *)hacl_handle_get(labelList, HACL_KIND_LABEL_LIST);
    if (!ll)
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live label list", labelList);
    aclError rc = ACL_SUCCESS;
    if (maxValue == 0 || maxValue > ll->n)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "maxValue %u must be 1..%u (the list's labels)", maxValue, ll->n);
    struct hacl_stream *s = rc == ACL_SUCCESS ? recording_stream(__func__, stream, &rc) : NULL;
    struct switch_task *sw = s ? HACL_STREAM_TASK(__func__, s, struct switch_task, &switch_ops, &rc) : NULL;
    if (sw) {
        sw->list = ll; /* our reference passes to the task */
        sw->b.marks = ll->marks;
        sw->b.nmarks = maxValue;
        sw->index = ptr;
        sw->max = maxValue;
        ll = NULL;
        rc = hacl_stream_submit(__func__, s, &sw->b.hdr);
    }
    if (ll)
        hacl_obj_put(&ll->hdr);
    if (s)
        hacl_obj_put(&s->hdr);
    return rc;
}

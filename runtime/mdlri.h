/*
 * hostacl internal: model runtime instances (mdlri.c) and labels
 * (label.c), as the rest of the runtime sees them.
 */
#ifndef HOSTACL_RUNTIME_MDLRI_H
#define HOSTACL_RUNTIME_MDLRI_H

#include "device/scheduler.h"

struct hacl_stream;
struct hacl_mdlri;

/* A task kind that branches (HACL_TASK_BRANCH) starts with this: the
 * labels it may skip to, so a recording can check they all come later. */
struct hacl_branch_task {
    struct hacl_task hdr;
    const uintptr_t *marks;
    uint32_t nmarks;
};

/* t was launched on s while s records (s->ri set when read): records it.
 * *taken is 0 when the recording had ended meanwhile (queue t as usual);
 * otherwise t is gone (recorded, or dropped with the error returned). */
aclError hacl_mdlri_record(const char *api, struct hacl_stream *s, struct hacl_task *t, int *taken);
/* A stream is being destroyed: its capture is invalidated, its binding
 * undone. */
void hacl_mdlri_stream_gone(struct hacl_stream *s);
/* Synchronous copies and fills ask whether a capture forbids them on the
 * calling thread: ACL_SUCCESS or ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT. */
aclError hacl_mdlri_check_unsafe(const char *api);
/* aclFinalize: destroys every instance left. */
void hacl_mdlri_finalize(void);

#endif

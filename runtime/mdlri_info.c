/*
 * Model runtime instances, what they tell about themselves: names, ids,
 * bound streams, and their recorded tasks printed (log or trace-viewer
 * JSON). The instances themselves: mdlri.c.
 *
 * Thread: any.
 */
#include <stdio.h>
#include <string.h>

#include "mdlri_impl.h"
#include "runtime.h"

ACL_FUNC_VISIBILITY aclError aclmdlRISetName(aclmdlRI modelRI, const char *name)
{
    if (!name)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "name must not be NULL");
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    if (strlen(name) >= sizeof ri->name)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "name is longer than %zu bytes", sizeof ri->name - 1);
    else {
        pthread_mutex_lock(&ri->lock);
        strcpy(ri->name, name);
        pthread_mutex_unlock(&ri->lock);
    }
    hacl_obj_put(&ri->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIGetName(aclmdlRI modelRI, uint32_t maxLen, char *name)
{
    if (!name || maxLen == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "name must not be NULL and maxLen must be positive");
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    pthread_mutex_lock(&ri->lock);
    if (strlen(ri->name) >= maxLen)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the name needs %zu bytes, maxLen is %u", strlen(ri->name) + 1, maxLen);
    else
        strcpy(name, ri->name);
    pthread_mutex_unlock(&ri->lock);
    hacl_obj_put(&ri->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIGetId(aclmdlRI modelRI, uint32_t *modelRIId)
{
    if (!modelRIId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelRIId must not be NULL");
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    *modelRIId = ri->id;
    hacl_obj_put(&ri->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIGetStreams(aclmdlRI modelRI, aclrtStream *streams, uint32_t *numStreams)
{
    if (!numStreams)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "numStreams must not be NULL");
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    pthread_mutex_lock(&ri->lock);
    uint32_t n = 0;
    for (size_t i = 0; i < ri->nparts; i++)
        if (ri->parts[i].s) {
            if (streams && n < *numStreams)
                streams[n] = ri->parts[i].s;
            n++;
        }
    pthread_mutex_unlock(&ri->lock);
    if (streams && n > *numStreams)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the instance has %u streams, the array holds %u", n, *numStreams);
    *numStreams = n;
    hacl_obj_put(&ri->hdr);
    return rc;
}

/* Writes ri as JSON: a trace-viewer file with one row per recorded stream
 * and one slice per task (what AscendCL's print shows: ids and task types). */
static aclError print_json(const char *api, struct hacl_mdlri *ri, FILE *f)
{
    fprintf(f, "{\"modelRI\":{\"id\":%u,\"name\":\"", ri->id);
    for (const char *c = ri->name; *c; c++)
        fprintf(f, (*c == '"' || *c == '\\') ? "\\%c" : ((unsigned char)*c < 0x20 ? "?" : "%c"), *c);
    fprintf(f, "\",\"device\":%d},\"traceEvents\":[", (int)ri->dev->id);
    int first = 1;
    for (size_t k = 0; k < ri->nparts; k++) {
        const struct ri_part *p = &ri->parts[k];
        for (size_t i = 0; i < p->n; i++) {
            const struct hacl_task *t = (const struct hacl_task *)p->tpl[i].b;
            fprintf(f, "%s\n{\"name\":\"%s\",\"ph\":\"X\",\"pid\":%u,\"tid\":%d,\"ts\":%zu,\"dur\":1,"
                       "\"args\":{\"task_id\":%zu,\"stream_id\":%d,\"head\":%s}}",
                    first ? "" : ",", t->ops->what, ri->id, (int)p->stream_id, i, i, (int)p->stream_id,
                    p->flag == ACL_MODEL_STREAM_FLAG_HEAD ? "true" : "false");
            first = 0;
        }
    }
    fprintf(f, "\n]}\n");
    return ferror(f) ? hacl_err(ACL_ERROR_RT_FILE_WRITE, api, "writing the instance's JSON failed") : ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDebugJsonPrint(aclmdlRI modelRI, const char *path, uint32_t flags)
{
    (void)flags;
    if (!path || !*path)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "path must name a file");
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    FILE *f = fopen(path, "w");
    if (!f)
        rc = HACL_ERR(ACL_ERROR_RT_FILE_OPEN, "cannot write %s", path);
    else {
        pthread_mutex_lock(&ri->lock);
        rc = print_json(__func__, ri, f);
        pthread_mutex_unlock(&ri->lock);
        if (fclose(f) != 0 && rc == ACL_SUCCESS)
            rc = HACL_ERR(ACL_ERROR_RT_FILE_WRITE, "writing %s failed", path);
    }
    hacl_obj_put(&ri->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDebugPrint(aclmdlRI modelRI)
{
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    pthread_mutex_lock(&ri->lock);
    for (size_t k = 0; k < ri->nparts; k++) {
        const struct ri_part *p = &ri->parts[k];
        for (size_t i = 0; i < p->n; i++)
            hacl_log(ACL_INFO, "model runtime instance %u (device %d): stream %d task %zu: %s", ri->id,
                     (int)ri->dev->id, (int)p->stream_id, i, ((const struct hacl_task *)p->tpl[i].b)->ops->what);
    }
    pthread_mutex_unlock(&ri->lock);
    hacl_obj_put(&ri->hdr);
    return ACL_SUCCESS;
}

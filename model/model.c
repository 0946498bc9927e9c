/*
 * Models: aclmdlLoadFromFile / aclmdlLoadFromMem and their WithMem forms,
 * aclmdlQuerySize, aclmdlUnload, and the table of loaded models
 * (descriptions: model_desc.c; executions: model_exec.c).
 *
 * A loaded model is a validated graph (onnx.c) under a model id; ids start
 * at 1 and are never reused within a process, so a stale id is refused. The
 * model's format is recognised from its bytes: an ONNX file called
 * resnet50.om loads. Loading needs a current context, as upstream.
 *
 * Thread: any; the model table has its own lock, models are immutable once
 * loaded and referenced while in use.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/alloc.h"
#include "device/trace.h"
#include "device/compute.h"
#include "plan.h"
#include "kernels.h"
#include "model_impl.h"
#include "om.h"
#include "onnx.h"
#include "prog.h"
#include "runtime/memory.h"
#include "runtime/runtime.h"

#define MAX_MODEL_FILE ((size_t)2 << 30) /* protobuf's own limit */

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hacl_model **table;
static size_t table_cap;
static uint32_t next_id = 1;

void hacl_model_put(struct hacl_model *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1) {
        pthread_mutex_destroy(&m->work_lock);
        hacl_exec_ctx_free(m->work_ctx);
        hacl_exec_ctx_free(m->alloc_ctx);
        for (size_t i = 0; i < m->npool; i++)
            hacl_exec_ctx_free(m->pool[i]);
        hacl_free(m->pool);
        if (!m->borrowed) {
            hacl_prog_free(m->prog);
            hacl_graph_free(m->graph);
        }
        hacl_model_put(m->weights_owner); /* after the program using its weights */
        for (size_t i = 0; i < m->ngears; i++)
            hacl_model_put(m->gears[i]);
        hacl_free(m->gears);
        hacl_free(m->in_info);
        hacl_conv_free(&m->conv);
        for (size_t i = 0; i < m->nvariants; i++) {
            hacl_model_put(m->variants[i].m);
            hacl_free(m->variants[i].key);
        }
        hacl_free(m->variants);
        hacl_model_put(m->cur_variant);
        hacl_free(m->value_mask);
        hacl_onnx_src_free(m->src);
        hacl_free(m->dir);
        pthread_mutex_destroy(&m->variant_lock);
        if (m->ctx)
            hacl_obj_put(&m->ctx->hdr);
        hacl_free(m);
    }
}

struct hacl_model *hacl_model_get(uint32_t id)
{
    struct hacl_model *m = NULL;
    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < table_cap; i++)
        if (table[i] && table[i]->id == id) {
            m = table[i];
            atomic_fetch_add(&m->refs, 1);
            break;
        }
    pthread_mutex_unlock(&table_lock);
    return m;
}

long hacl_model_steps(uint32_t id, struct hacl_prog_step *out, size_t max)
{
    struct hacl_model *m = hacl_model_get(id);
    if (!m)
        return -1;
    long n = m->prog ? (long)hacl_prog_steps(m->prog, out, max) : 0;
    hacl_model_put(m);
    return n;
}

/* Unloads every model: registered as a finalize hook with the first load. */
static void release_all(void)
{
    pthread_mutex_lock(&table_lock);
    struct hacl_model **t = table;
    size_t n = table_cap;
    table = NULL;
    table_cap = 0;
    pthread_mutex_unlock(&table_lock);
    for (size_t i = 0; i < n; i++)
        hacl_model_put(t[i]);
    hacl_free(t);
}

/* A compiled model over (g, prog), not yet in the table; NULL when out of
 * memory (g and prog are then freed). */
static struct hacl_model *new_model(struct hacl_graph *g, struct hacl_prog *prog, struct hacl_context *ctx,
                                    void *work)
{
    struct hacl_model *m = hacl_calloc(1, sizeof *m);
    if (!m) {
        hacl_prog_free(prog);
        hacl_graph_free(g);
        return NULL;
    }
    atomic_init(&m->refs, 1);
    pthread_mutex_init(&m->work_lock, NULL);
    pthread_mutex_init(&m->variant_lock, NULL);
    m->work = work;
    m->graph = g;
    m->prog = prog;
    hacl_obj_ref(&ctx->hdr);
    m->ctx = ctx;
    if (work && hacl_exec_ctx_create(prog, work, &m->work_ctx) != ACL_SUCCESS) {
        hacl_model_put(m);
        return NULL;
    }
    return m;
}

/* Puts m (its reference passes to the table) under a new id. */
static aclError register_model(const char *api, struct hacl_model *m, uint32_t *id)
{
    if (hacl_rt_on_finalize(release_all) != 0) {
        hacl_model_put(m);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory loading a model");
    }
    pthread_mutex_lock(&table_lock);
    size_t slot = table_cap;
    for (size_t i = 0; i < table_cap; i++)
        if (!table[i]) {
            slot = i;
            break;
        }
    if (slot == table_cap) {
        size_t ncap = table_cap ? table_cap * 2 : 16;
        struct hacl_model **nt = hacl_realloc(table, ncap * sizeof *nt);
        if (!nt) {
            pthread_mutex_unlock(&table_lock);
            hacl_model_put(m);
            return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory loading a model");
        }
        memset(nt + table_cap, 0, (ncap - table_cap) * sizeof *nt);
        table = nt;
        table_cap = ncap;
    }
    m->id = next_id++;
    table[slot] = m;
    pthread_mutex_unlock(&table_lock);
    *id = m->id;
    return ACL_SUCCESS;
}

/* HOSTACL_KERNELS=reference runs every operator with the C kernels. */
static int reference_kernels(void)
{
    const char *k = getenv("HOSTACL_KERNELS");
    return k && strcmp(k, "reference") == 0;
}

/* What a load compiles: a graph and a program per gear (one without). */
struct compiled {
    struct hacl_conv conv;
    size_t n, max;
    struct hacl_graph **g;
    struct hacl_prog **prog;
    struct hacl_in_info *info; /* the largest gear's inputs */
    /* shapes decided by input values: no program yet (prog[0] NULL), the
     * inputs that decide, and what compiling them later needs */
    unsigned char *value_mask;
    size_t nvalues;
    struct hacl_onnx_src *src; /* the bytes every gear decodes (ours) */
    char *dir;
    int precision;
};

static void compiled_free(struct compiled *c)
{
    for (size_t i = 0; c->g && i < c->n; i++) {
        hacl_prog_free(c->prog[i]);
        hacl_graph_free(c->g[i]);
    }
    hacl_free(c->g);
    hacl_free(c->prog);
    hacl_free(c->info);
    hacl_conv_free(&c->conv);
    hacl_free(c->value_mask);
    hacl_onnx_src_free(c->src);
    hacl_free(c->dir);
    memset(c, 0, sizeof *c);
}

static size_t round64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* One gear: decode (the weights read in place from src's file buffer),
 * convert, infer shapes, compile (memory planned). alone: the only graph
 * that will read the file buffer once its shapes are known (no gears; a
 * model whose shapes need input values fails before that and is decoded
 * again), so constants consumed from then on give their pages back. */
static aclError compile_one(const struct hacl_onnx_src *src, const char *dir, const struct hacl_conv *conv, size_t gear,
                            int alone, int precision, struct hacl_in_info **info, struct hacl_graph **g,
                            struct hacl_prog **prog, char *why, size_t whylen)
{
    aclError rc = hacl_onnx_parse(src, dir, g, why, whylen);
    if (rc == ACL_SUCCESS && (rc = hacl_conv_apply(conv, *g, gear, info, why, whylen)) == ACL_ERROR_INVALID_PARAM)
        rc = ACL_ERROR_PARSE_MODEL;
    if (rc == ACL_SUCCESS)
        rc = hacl_infer_shapes(*g, why, whylen);
    if (rc == ACL_SUCCESS)
        (*g)->drop_borrowed = alone;
    /* the reference executor runs every node as written, so the tests can
     * compare a merged Pad with the real one */
    if (rc == ACL_SUCCESS && !reference_kernels())
        hacl_graph_absorb_pads(*g);
    if (rc == ACL_SUCCESS)
        rc = hacl_prog_build(*g, reference_kernels(), precision, prog, why, whylen);
    if (rc != ACL_SUCCESS && *g) {
        hacl_graph_free(*g);
        *g = NULL;
    }
    return rc;
}

/* A model whose compile failed because shapes need values that are model
 * inputs: described by its parsed, converted graph, compiled later per
 * set of values (value_plans.c). 1 when it is one. */
static int value_mode(const char *dir, struct compiled *c, int precision)
{
    char why[64];
    struct hacl_graph *g = NULL;
    if (hacl_onnx_parse(c->src, dir, &g, why, sizeof why) != ACL_SUCCESS)
        return 0;
    unsigned char *mask = NULL;
    hacl_free(c->info); /* the failed compile's */
    c->info = NULL;
    if (hacl_conv_apply(&c->conv, g, 0, &c->info, why, sizeof why) == ACL_SUCCESS &&
        (mask = hacl_calloc(g->ninputs ? g->ninputs : 1, 1)) && (c->nvalues = hacl_value_inputs(g, mask)) &&
        (!dir || (c->dir = hacl_strdup(dir)))) {
        c->value_mask = mask;
        c->precision = precision;
        c->g[0] = g;
        return 1;
    }
    hacl_free(mask);
    hacl_free(c->info);
    c->info = NULL;
    c->nvalues = 0;
    hacl_graph_free(g);
    return 0;
}

/* Recognises the bytes (ONNX, or hostacl's container with conversion
 * options), then compiles every gear. */
static aclError prepare(const char *api, const void *bytes, size_t len, const char *origin, int from_file,
                        int precision, struct compiled *out)
{
    memset(out, 0, sizeof *out);
    char why[512] = "";
    /* External data is read from the model file's folder. */
    char *dir = NULL;
    if (from_file) {
        dir = hacl_strdup(origin);
        if (!dir) {
            hacl_free((void *)bytes);
            return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
        }
        char *slash = strrchr(dir, '/');
        if (!slash)
            strcpy(dir, ".");
        else if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
    }
    const void *onnx = bytes;
    size_t olen = len;
    struct hacl_om om;
    int is_om = 0;
    aclError rc = ACL_SUCCESS;
    if (hacl_om_is_huawei(bytes, len)) {
        rc = ACL_ERROR_DESERIALIZE_MODEL;
        snprintf(why, sizeof why, "an offline model built by Huawei's ATC for Ascend hardware; hostacl runs ONNX "
                                  "files and the .om files hostacl's own atc writes from them");
    } else if (hacl_om_is(bytes, len) && (rc = hacl_om_open(bytes, len, &om, why, sizeof why)) == ACL_SUCCESS) {
        onnx = om.onnx;
        olen = om.onnx_len;
        is_om = 1;
    }
    if (rc == ACL_SUCCESS && (rc = hacl_conv_parse(is_om ? &om : NULL, &out->conv, why, sizeof why)) ==
                                 ACL_ERROR_INVALID_PARAM)
        rc = ACL_ERROR_PARSE_MODEL;
    if (precision < 0)
        precision = out->conv.precision >= 0 ? out->conv.precision : hacl_rt.cfg.precision;
    out->n = out->conv.gear_kind ? out->conv.ngears : 1;
    out->max = out->conv.gear_kind ? out->conv.max_gear : 0;
    if (rc == ACL_SUCCESS) {
        out->g = hacl_calloc(out->n, sizeof *out->g);
        out->prog = hacl_calloc(out->n, sizeof *out->prog);
        if (!out->g || !out->prog)
            rc = ACL_ERROR_BAD_ALLOC, snprintf(why, sizeof why, "out of memory");
    }
    /* The decoded graphs read their weights in place from bytes of ours:
     * a file's buffer, or a copy of the caller's (which the decoder used
     * to make anyway, once per gear). */
    void *own = from_file ? (void *)bytes : NULL;
    if (rc == ACL_SUCCESS && !own && (own = hacl_malloc(len)))
        memcpy(own, bytes, len);
    if (rc == ACL_SUCCESS && own &&
        (out->src = hacl_onnx_src_new(own, len, (const char *)own + ((const char *)onnx - (const char *)bytes), olen)))
        own = NULL; /* the source's now */
    else if (rc == ACL_SUCCESS)
        rc = ACL_ERROR_BAD_ALLOC, snprintf(why, sizeof why, "out of memory");
    hacl_free(own); /* NULL, or ours and unused (an error) */
    for (size_t i = 0; rc == ACL_SUCCESS && i < out->n; i++) {
        char w[480];
        rc = compile_one(out->src, dir, &out->conv, i, out->n == 1, precision, i == out->max ? &out->info : NULL, &out->g[i],
                         &out->prog[i], w, sizeof w);
        if (rc == ACL_ERROR_OP_UNSUPPORTED_DYNAMIC && out->n == 1 && value_mode(dir, out, precision))
            rc = ACL_SUCCESS;
        else if (rc != ACL_SUCCESS && out->n > 1)
            snprintf(why, sizeof why, "gear %zu: %s", i, w);
        else if (rc != ACL_SUCCESS)
            snprintf(why, sizeof why, "%s", w);
    }
    hacl_free(dir);
    if (rc != ACL_SUCCESS) {
        compiled_free(out);
        return hacl_err(rc, api, "%s: %s", origin, why);
    }
    return ACL_SUCCESS;
}

static aclError place_weights(struct hacl_prog *prog, void *weights);

struct hacl_model *hacl_model_compile_values(struct hacl_model *m, const uint8_t *key, aclError *rc, char *why,
                                             size_t whylen)
{
    struct hacl_graph *g = NULL;
    struct hacl_prog *prog = NULL;
    *rc = hacl_onnx_parse(m->src, m->dir, &g, why, whylen);
    if (*rc == ACL_SUCCESS && (*rc = hacl_conv_apply(&m->conv, g, 0, NULL, why, whylen)) == ACL_SUCCESS &&
        (*rc = hacl_value_bind(g, m->value_mask, key)) == ACL_SUCCESS &&
        (*rc = hacl_infer_shapes(g, why, whylen)) == ACL_SUCCESS) {
        if (!reference_kernels())
            hacl_graph_absorb_pads(g);
        *rc = hacl_prog_build(g, reference_kernels(), m->precision, &prog, why, whylen);
    }
    if (*rc == ACL_SUCCESS && (*rc = place_weights(prog, NULL)) != ACL_SUCCESS)
        snprintf(why, whylen, "out of memory preparing weights");
    if (*rc != ACL_SUCCESS) {
        hacl_prog_free(prog);
        hacl_graph_free(g);
        return NULL;
    }
    hacl_graph_release_weights(g);
    hacl_prog_bind_constants(prog);
    struct hacl_model *v = new_model(g, prog, m->ctx, NULL);
    if (!v) {
        *rc = ACL_ERROR_BAD_ALLOC;
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    v->id = m->id;
    return v;
}

static size_t compiled_work(const struct compiled *c)
{
    size_t w = 0;
    for (size_t i = 0; i < c->n && c->prog[i]; i++)
        if (hacl_prog_work_bytes(c->prog[i]) > w)
            w = hacl_prog_work_bytes(c->prog[i]);
    return w;
}

/* Gears keep their weights one after another, each 64-byte aligned. */
static size_t compiled_weights(const struct compiled *c)
{
    size_t w = 0;
    for (size_t i = 0; i < c->n && c->prog[i]; i++)
        w += c->n > 1 ? round64(hacl_prog_weight_bytes(c->prog[i])) : hacl_prog_weight_bytes(c->prog[i]);
    return w;
}

/* Caller memory for a WithMem load must be large enough and, when it is
 * runtime memory, lie inside its allocation. */
static aclError check_user_mem(const char *api, const char *what, void *p, size_t size, size_t need)
{
    if (!p)
        return ACL_SUCCESS;
    if (size < need)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "%s memory of %zu bytes is smaller than the %zu the model needs",
                        what, size, need);
    if ((uintptr_t)p % 64)
        return hacl_err(ACL_ERROR_MEMORY_ADDRESS_UNALIGNED, api, "%s memory %p is not 64-byte aligned", what, p);
    struct hacl_ptrinfo pi;
    hacl_mem_classify(p, &pi);
    if (!hacl_mem_range_ok(p, need, &pi))
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "%s memory [%p, +%zu) runs past its allocation", what, p,
                        need);
    return ACL_SUCCESS;
}

struct place_job {
    struct hacl_prog *prog;
    void *weights;
    aclError rc;
};

static void place_on_compute(void *arg)
{
    struct place_job *j = arg;
    j->rc = hacl_prog_place_weights(j->prog, j->weights);
}

/* Weight conversions run oneDNN primitives: on the compute thread. */
static aclError place_weights(struct hacl_prog *prog, void *weights)
{
    struct place_job j = {prog, weights, ACL_SUCCESS};
    hacl_compute_run(place_on_compute, &j);
    return j.rc;
}

static aclError load_bytes(const char *api, const void *bytes, size_t len, uint32_t *modelId, const char *origin,
                           int from_file, int precision,
                           void *work, size_t work_size, void *weights, size_t weight_size)
{
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (!ctx) {
        if (from_file)
            hacl_free((void *)bytes);
        return rc;
    }
    struct compiled c;
    rc = prepare(api, bytes, len, origin, from_file, precision, &c);
    if (rc != ACL_SUCCESS) {
        hacl_obj_put(&ctx->hdr);
        return rc;
    }
    size_t work_bytes = compiled_work(&c);
    if (c.value_mask && (work || weights))
        rc = hacl_err(ACL_ERROR_OP_UNSUPPORTED_DYNAMIC, api,
                      "%s: its shapes depend on input values, so its memory is known per execution: load it "
                      "without caller memory",
                      origin);
    if (rc == ACL_SUCCESS)
        rc = check_user_mem(api, "work", work, work_size, work_bytes);
    if (rc == ACL_SUCCESS)
        rc = check_user_mem(api, "weight", weights, weight_size, compiled_weights(&c));
    /* The weights (prepared: reordered, BatchNormalization folded) go to the
     * caller's memory, or to memory of the model's own; then the decoded
     * copies go, and constants the kernels read point there. */
    size_t off = 0;
    for (size_t i = 0; rc == ACL_SUCCESS && i < c.n && c.prog[i]; i++) {
        if ((rc = place_weights(c.prog[i], weights ? (char *)weights + off : NULL)) != ACL_SUCCESS)
            rc = hacl_err(rc, api, "%s: out of memory preparing %zu bytes of weights", origin,
                          hacl_prog_weight_bytes(c.prog[i]));
        off += round64(hacl_prog_weight_bytes(c.prog[i]));
        /* Gears share the weight buffers that came out the same (an
         * operator whose layout did not depend on the gear): each later gear
         * reads them from earlier ones, right after its own placement. */
        if (rc == ACL_SUCCESS && !weights && i > 0)
            hacl_prog_dedupe_weights(c.prog[i], c.prog, i);
    }
    for (size_t i = 0; rc == ACL_SUCCESS && i < c.n && c.prog[i]; i++) {
        hacl_graph_release_weights(c.g[i]);
        hacl_prog_bind_constants(c.prog[i]);
    }
    if (rc == ACL_SUCCESS && !c.value_mask) { /* nothing reads the file's bytes any more */
        hacl_onnx_src_free(c.src);
        c.src = NULL;
        for (size_t i = 0; i < c.n; i++)
            if (c.g[i])
                c.g[i]->borrow_lo = c.g[i]->borrow_hi = NULL;
    }
    struct hacl_model *m = NULL;
    void *w = work_bytes ? work : NULL;
    if (rc == ACL_SUCCESS && c.n == 1 && !c.conv.gear_kind) {
        m = new_model(c.g[0], c.prog[0], ctx, w);
        c.g[0] = NULL;
        c.prog[0] = NULL;
    } else if (rc == ACL_SUCCESS) {
        m = new_model(NULL, NULL, ctx, NULL);
        m = m ? m : NULL;
        if (m && !(m->gears = hacl_calloc(c.n, sizeof *m->gears))) {
            hacl_model_put(m);
            m = NULL;
        }
        for (size_t i = 0; m && i < c.n; i++) {
            m->gears[i] = new_model(c.g[i], c.prog[i], ctx, w);
            c.g[i] = NULL;
            c.prog[i] = NULL;
            if (!m->gears[i]) {
                hacl_model_put(m);
                m = NULL;
                break;
            }
            m->ngears++;
        }
        for (size_t i = 1; m && i < c.n; i++) { /* each keeps the earlier ones alive */
            m->gears[i]->weights_owner = m->gears[i - 1];
            atomic_fetch_add(&m->gears[i - 1]->refs, 1);
        }
        if (m) {
            m->graph = m->gears[c.max]->graph;
            m->prog = m->gears[c.max]->prog;
            m->borrowed = 1;
            atomic_init(&m->cur_gear, c.max);
        }
    }
    if (rc == ACL_SUCCESS && !m)
        rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory loading a model");
    if (m) {
        m->conv = c.conv;
        m->in_info = c.info;
        memset(&c.conv, 0, sizeof c.conv);
        c.info = NULL;
        m->value_mask = c.value_mask;
        m->nvalues = c.nvalues;
        if (c.value_mask) { /* decoded again per set of values */
            m->src = c.src;
            c.src = NULL;
        }
        m->dir = c.dir;
        m->precision = c.precision;
        c.value_mask = NULL;
        c.dir = NULL;
        rc = register_model(api, m, modelId);
        for (size_t i = 0; rc == ACL_SUCCESS && i < m->ngears; i++)
            m->gears[i]->id = *modelId; /* for messages */
    }
    compiled_free(&c);
    hacl_obj_put(&ctx->hdr);
    return rc;
}

/* Reads a whole file: ACL_SUCCESS with a buffer to hacl_free, or an error. */
static aclError read_file(const char *api, const char *path, void **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hacl_err(ACL_ERROR_READ_MODEL_FAILURE, api, "cannot open model file %s: %s", path, strerror(errno));
    struct stat st;
    aclError rc = ACL_SUCCESS;
    char *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = hacl_err(ACL_ERROR_READ_MODEL_FAILURE, api, "model file %s is not a regular file", path);
        goto out;
    }
    if (st.st_size == 0 || (size_t)st.st_size > MAX_MODEL_FILE) {
        rc = hacl_err(ACL_ERROR_MODEL_SIZE_INVALID, api, "model file %s has %lld bytes (1 byte to 2 GiB accepted)",
                      path, (long long)st.st_size);
        goto out;
    }
    size_t n = (size_t)st.st_size, got = 0;
    buf = hacl_malloc(n);
    if (!buf) {
        rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "no memory to read model file %s", path);
        goto out;
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != n) {
        rc = hacl_err(ACL_ERROR_READ_MODEL_FAILURE, api, "cannot read model file %s", path);
        hacl_free(buf);
        buf = NULL;
        goto out;
    }
    *out = buf;
    *len = n;
out:
    close(fd);
    return rc;
}

aclError hacl_model_load_file(const char *api, const char *path, int precision, void *work, size_t work_size,
                              void *weights, size_t weight_size, uint32_t *id)
{
    void *bytes = NULL;
    size_t len = 0;
    aclError rc = read_file(api, path, &bytes, &len);
    if (rc != ACL_SUCCESS)
        return rc;
    return load_bytes(api, bytes, len, id, path, 1, precision, work, work_size, weights, weight_size);
}

aclError hacl_model_load_mem(const char *api, const void *model, size_t size, int precision, void *work,
                             size_t work_size, void *weights, size_t weight_size, uint32_t *id)
{
    return load_bytes(api, model, size, id, "model in memory", 0, precision, work, work_size, weights, weight_size);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromFile(const char *modelPath, uint32_t *modelId)
{
    HACL_TRACE_API_CALL();
    if (!modelPath || !modelId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelPath and modelId must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    void *bytes = NULL;
    size_t len = 0;
    if ((rc = read_file(__func__, modelPath, &bytes, &len)) != ACL_SUCCESS)
        return rc;
    /* load_bytes frees the file's bytes once decoded. */
    return load_bytes(__func__, bytes, len, modelId, modelPath, 1, -1, NULL, 0, NULL, 0);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromFileWithMem(const char *modelPath, uint32_t *modelId, void *workPtr,
                                                       size_t workSize, void *weightPtr, size_t weightSize)
{
    HACL_TRACE_API_CALL();
    if (!modelPath || !modelId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelPath and modelId must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    void *bytes = NULL;
    size_t len = 0;
    if ((rc = read_file(__func__, modelPath, &bytes, &len)) != ACL_SUCCESS)
        return rc;
    return load_bytes(__func__, bytes, len, modelId, modelPath, 1, -1, workPtr, workSize, weightPtr, weightSize);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromMemWithMem(const void *model, size_t modelSize, uint32_t *modelId,
                                                      void *workPtr, size_t workSize, void *weightPtr,
                                                      size_t weightSize)
{
    HACL_TRACE_API_CALL();
    if (!model || !modelId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "model and modelId must not be NULL");
    if (modelSize == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelSize must be greater than 0");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    return load_bytes(__func__, model, modelSize, modelId, "model in memory", 0, -1, workPtr, workSize, weightPtr,
                      weightSize);
}

static aclError query(const char *api, const void *bytes, size_t len, const char *origin, int from_file, size_t *workSize,
                      size_t *weightSize)
{
    struct compiled c;
    aclError rc = prepare(api, bytes, len, origin, from_file, -1, &c);
    if (rc == ACL_SUCCESS && c.value_mask) {
        rc = hacl_err(ACL_ERROR_OP_UNSUPPORTED_DYNAMIC, api,
                      "%s: its shapes depend on input values, so its memory is known per execution", origin);
    } else if (rc == ACL_SUCCESS) {
        *workSize = compiled_work(&c);
        *weightSize = compiled_weights(&c);
    }
    compiled_free(&c);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlQuerySize(const char *fileName, size_t *workSize, size_t *weightSize)
{
    if (!fileName || !workSize || !weightSize)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "fileName, workSize and weightSize must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    void *bytes = NULL;
    size_t len = 0;
    if ((rc = read_file(__func__, fileName, &bytes, &len)) != ACL_SUCCESS)
        return rc;
    return query(__func__, bytes, len, fileName, 1, workSize, weightSize);
}

ACL_FUNC_VISIBILITY aclError aclmdlQuerySizeFromMem(const void *model, size_t modelSize, size_t *workSize,
                                                    size_t *weightSize)
{
    if (!model || !workSize || !weightSize)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "model, workSize and weightSize must not be NULL");
    if (modelSize == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelSize must be greater than 0");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    return query(__func__, model, modelSize, "model in memory", 0, workSize, weightSize);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromMem(const void *model, size_t modelSize, uint32_t *modelId)
{
    HACL_TRACE_API_CALL();
    if (!model || !modelId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "model and modelId must not be NULL");
    if (modelSize == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelSize must be greater than 0");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    return load_bytes(__func__, model, modelSize, modelId, "model in memory", 0, -1, NULL, 0, NULL, 0);
}

ACL_FUNC_VISIBILITY aclError aclmdlUnload(uint32_t modelId)
{
    HACL_TRACE_API_CALL();
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_model *m = NULL;
    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < table_cap; i++)
        if (table[i] && table[i]->id == modelId) {
            m = table[i];
            table[i] = NULL;
            break;
        }
    pthread_mutex_unlock(&table_lock);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    hacl_model_put(m); /* descriptions still holding it keep it alive */
    return ACL_SUCCESS;
}


/*
 * onnx_conformance: runs the ONNX backend node tests (Debian's
 * libonnx-testdata: data/node/test_<op>*: model.onnx and test_data_set_N with
 * input_K.pb / output_K.pb) through the public aclmdl API and compares the
 * outputs with the suite's tolerances (rtol 1e-3, atol 1e-7).
 *
 *   onnx_conformance [DATA_DIR] [-v] [--only SUBSTRING]
 *
 * A test is counted as unsupported, not failed, when hostacl refuses its
 * model as unsupported (operator or variant, data type, dynamic shape), or
 * when the model feeds an empty tensor (a zero dim), which hostacl refuses
 * by design (docs/semantics.md). Inputs that decide shapes (a Reshape's
 * shape, a Pad's pads ...) are fed as the suite ships them: hostacl compiles
 * such a model per set of values, and reports its outputs' sizes per
 * execution (aclmdlGetCurOutputDims). Prints per-operator counts and ends
 * with "conformance: N passed, N failed" (plus unsupported). Exit status 1
 * when any supported test failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "onnx/onnx.pb-c.h"

static int verbose;

static void *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = n > 0 && fread(buf, 1, (size_t)n, f) == (size_t)n ? (size_t)n : 0;
    fclose(f);
    return buf;
}

static size_t elem_size(int t)
{
    switch (t) {
    case 2: case 3: case 9: return 1;
    case 4: case 5: case 10: case 16: return 2;
    case 1: case 6: case 12: return 4;
    case 7: case 11: case 13: return 8;
    default: return 0;
    }
}

/* A tensor's bytes (raw_data or typed fields), malloc'd; NULL if unreadable. */
static void *tensor_bytes(const Onnx__TensorProto *t, size_t *len)
{
    size_t count = 1, es = elem_size(t->data_type);
    for (size_t i = 0; i < t->n_dims; i++)
        count *= (size_t)t->dims[i];
    if (!es)
        return NULL;
    *len = count * es;
    void *out = calloc(1, *len ? *len : 1);
    if (*len == 0) {
        /* an empty tensor */
    } else if (t->has_raw_data && t->raw_data.len == *len) {
        memcpy(out, t->raw_data.data, *len);
    } else if (t->n_float_data == count && t->data_type == 1) {
        memcpy(out, t->float_data, *len);
    } else if (t->n_int64_data == count && t->data_type == 7) {
        memcpy(out, t->int64_data, *len);
    } else if (t->n_double_data == count && t->data_type == 11) {
        memcpy(out, t->double_data, *len);
    } else if (t->n_int32_data == count) {
        for (size_t i = 0; i < count; i++) {
            int32_t v = t->int32_data[i];
            memcpy((char *)out + i * es, &v, es); /* little-endian narrowing */
        }
    } else if (count != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static int close_enough(int type, const void *got, const void *want, size_t len, char *why, size_t whylen)
{
    if (type == 1) {
        const float *g = got, *w = want;
        for (size_t i = 0; i < len / 4; i++) {
            if ((isnan(w[i]) && isnan(g[i])) || g[i] == w[i])
                continue;
            if (!(fabs((double)g[i] - w[i]) <= 1e-7 + 1e-3 * fabs((double)w[i]))) {
                snprintf(why, whylen, "element %zu: %g, expected %g", i, g[i], w[i]);
                return 0;
            }
        }
        return 1;
    }
    if (type == 11) { /* double: the same tolerances */
        const double *g = got, *w = want;
        for (size_t i = 0; i < len / 8; i++) {
            if ((isnan(w[i]) && isnan(g[i])) || g[i] == w[i])
                continue;
            if (!(fabs(g[i] - w[i]) <= 1e-7 + 1e-3 * fabs(w[i]))) {
                snprintf(why, whylen, "element %zu: %g, expected %g", i, g[i], w[i]);
                return 0;
            }
        }
        return 1;
    }
    if (memcmp(got, want, len) != 0) {
        snprintf(why, whylen, "bytes differ");
        return 0;
    }
    return 1;
}

struct op_stat {
    char op[64];
    int pass, fail, unsupported;
};
static struct op_stat stats[512];
static int nstats;

static struct op_stat *stat_for(const char *op)
{
    for (int i = 0; i < nstats; i++)
        if (strcmp(stats[i].op, op) == 0)
            return &stats[i];
    if (nstats == 512)
        return &stats[511];
    snprintf(stats[nstats].op, sizeof stats[nstats].op, "%s", op);
    return &stats[nstats++];
}

static int value_tests; /* passed, with outputs sized by input values */

/* Why a test was refused: documented limits, then what is left to do. */
enum reason { R_TRAINING, R_STRING, R_NONTENSOR, R_EMPTY, R_DYNAMIC, R_RANDOM, R_CONTROL, R_INVALID, R_OPERATOR,
              R_VARIANT, R_COUNT };
static const char *const reason_names[R_COUNT] = {
    "training (training mode, optimisers, losses' training graphs)", "string tensors",
    "sequences, maps and optionals", "empty tensors (refused by design)",
    "data-dependent output shapes", "random numbers", "control flow (If, Loop, Scan)",
    "test data contradicting its own model", "operator not implemented", "operator variant or type not implemented"};
static int reason_counts[R_COUNT];
static enum reason last_reason;

static enum reason classify(const char *msg)
{
    if (!msg)
        return R_VARIANT;
    if (strstr(msg, "training"))
        return R_TRAINING;
    if (strstr(msg, "data type 8,") || strstr(msg, "type 8 "))
        return R_STRING;
    if (strstr(msg, "not a tensor"))
        return R_NONTENSOR;
    if (strstr(msg, "computed at run time") || strstr(msg, "depends on the data"))
        return R_DYNAMIC;
    if (strstr(msg, "operator Bernoulli") || strstr(msg, "operator Random"))
        return R_RANDOM;
    if (strstr(msg, "operator If ") || strstr(msg, "operator Loop ") || strstr(msg, "operator Scan "))
        return R_CONTROL;
    if (strstr(msg, "is not supported by hostacl yet"))
        return R_OPERATOR;
    return R_VARIANT;
}

/* 1 passed, 0 failed, -1 unsupported (last_reason says why). */
static int run_test(const char *dir, const char *name, char *op, size_t oplen)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s/model.onnx", dir, name);
    void *bytes = slurp(path, &len);
    snprintf(op, oplen, "?");
    if (!bytes)
        return 0;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, bytes);
    int empty_input = 0;
    if (m && m->graph && m->graph->n_node)
        snprintf(op, oplen, "%s", m->graph->node[0]->op_type);
    for (size_t i = 0; m && m->graph && i < m->graph->n_input; i++) {
        const Onnx__TypeProto *tp = m->graph->input[i]->type;
        if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type->shape)
            for (size_t k = 0; k < tp->tensor_type->shape->n_dim; k++)
                if (tp->tensor_type->shape->dim[k]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                    tp->tensor_type->shape->dim[k]->dim_value == 0)
                    empty_input = 1;
    }
    if (m)
        onnx__model_proto__free_unpacked(m, NULL);
    if (empty_input) {
        free(bytes);
        if (verbose > 1)
            printf("  unsupported %s: an empty input tensor\n", name);
        last_reason = R_EMPTY;
        return -1;
    }
    uint32_t id;
    aclError rc = aclmdlLoadFromMem(bytes, len, &id);
    const char *msg = aclGetRecentErrMsg();
    /* a model whose shapes its input values decide loads, but has no
     * memory sizes before an execution */
    size_t qw, qs;
    int value_sized = rc == ACL_SUCCESS &&
                      aclmdlQuerySizeFromMem(bytes, len, &qw, &qs) == ACL_ERROR_OP_UNSUPPORTED_DYNAMIC;
    if (rc == ACL_SUCCESS)
        msg = NULL;
    free(bytes);
    if (rc == ACL_ERROR_OP_NOT_FOUND || rc == ACL_ERROR_UNSUPPORTED_DATA_TYPE || rc == ACL_ERROR_OP_UNSUPPORTED_DYNAMIC) {
        if (verbose > 1)
            printf("  unsupported %s: %s\n", name, msg ? msg : "");
        last_reason = classify(msg);
        return -1;
    }
    if (rc != ACL_SUCCESS) {
        if (verbose)
            printf("  FAIL %s: load: %s\n", name, msg ? msg : "");
        return 0;
    }
    aclmdlDesc *d = aclmdlCreateDesc();
    aclmdlGetDesc(d, id);
    size_t nin = aclmdlGetNumInputs(d), nout = aclmdlGetNumOutputs(d);
    int ok = 1, sets = 0, invalid = 0;
    for (int s = 0; ok; s++) {
        snprintf(path, sizeof path, "%s/%s/test_data_set_%d", dir, name, s);
        DIR *probe = opendir(path);
        if (!probe)
            break;
        closedir(probe);
        sets++;
        aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
        void *bufs[64] = {0};
        aclDataBuffer *dbs[64] = {0};
        int types[64] = {0};
        size_t nb = 0, osize[64] = {0};
        for (size_t k = 0; ok && k < nin + nout && k < 64; k++) {
            int is_out = k >= nin;
            size_t idx = is_out ? k - nin : k;
            if (!is_out) {
                snprintf(path, sizeof path, "%s/%s/test_data_set_%d/input_%zu.pb", dir, name, s, idx);
                void *pb = slurp(path, &len);
                Onnx__TensorProto *t = pb ? onnx__tensor_proto__unpack(NULL, len, pb) : NULL;
                free(pb);
                size_t tl = 0;
                void *data = t ? tensor_bytes(t, &tl) : NULL;
                if (t)
                    onnx__tensor_proto__free_unpacked(t, NULL);
                size_t need = aclmdlGetInputSizeByIndex(d, idx);
                if (!data || tl != need) {
                    /* A few suites ship data that contradicts their own
                     * model's declared input shape (castlike with bfloat16):
                     * a broken test, counted with the unsupported ones. */
                    if (verbose)
                        printf("  %s %s: input %zu has %zu bytes, the model declares %zu\n",
                               data ? "INVALID" : "FAIL", name, idx, tl, need);
                    invalid = data != NULL;
                    free(data);
                    ok = 0;
                    break;
                }
                bufs[nb] = data;
            } else {
                /* an output whose size the inputs' values decide (0 at
                 * load): a buffer of the expected size */
                osize[idx] = aclmdlGetOutputSizeByIndex(d, idx);
                if (!osize[idx]) {
                    snprintf(path, sizeof path, "%s/%s/test_data_set_%d/output_%zu.pb", dir, name, s, idx);
                    void *pb = slurp(path, &len);
                    Onnx__TensorProto *t = pb ? onnx__tensor_proto__unpack(NULL, len, pb) : NULL;
                    free(pb);
                    void *want = t ? tensor_bytes(t, &osize[idx]) : NULL;
                    free(want);
                    if (t)
                        onnx__tensor_proto__free_unpacked(t, NULL);
                }
                bufs[nb] = calloc(1, osize[idx] + 8);
                types[nb] = aclmdlGetOutputDataType(d, idx);
            }
            dbs[nb] = aclCreateDataBuffer(bufs[nb], is_out ? osize[idx] : aclmdlGetInputSizeByIndex(d, idx));
            aclmdlAddDatasetBuffer(is_out ? out : in, dbs[nb]);
            nb++;
        }
        if (ok && (rc = aclmdlExecute(id, in, out)) != ACL_SUCCESS) {
            msg = aclGetRecentErrMsg();
            if (verbose)
                printf("  FAIL %s: execute: %s\n", name, msg ? msg : "");
            ok = 0;
        }
        for (size_t k = 0; ok && k < nout; k++) {
            snprintf(path, sizeof path, "%s/%s/test_data_set_%d/output_%zu.pb", dir, name, s, k);
            void *pb = slurp(path, &len);
            Onnx__TensorProto *t = pb ? onnx__tensor_proto__unpack(NULL, len, pb) : NULL;
            free(pb);
            size_t tl = 0;
            void *want = t ? tensor_bytes(t, &tl) : NULL;
            int wtype = t ? t->data_type : 0;
            if (t)
                onnx__tensor_proto__free_unpacked(t, NULL);
            char why[128] = "";
            /* what the execution produced: its output dims */
            aclmdlIODims cur;
            size_t got = 0;
            if (aclmdlGetCurOutputDims(d, k, &cur) == ACL_SUCCESS) {
                got = aclDataTypeSize(aclmdlGetOutputDataType(d, k));
                for (size_t i = 0; i < cur.dimCount; i++)
                    got *= cur.dims[i] < 0 ? 0 : (size_t)cur.dims[i];
            }
            if (!want || tl != got) {
                snprintf(why, sizeof why, "output %zu: %zu bytes, expected %zu", k, got, tl);
                ok = 0;
            } else if (!close_enough(wtype, bufs[nin + k], want, tl, why, sizeof why)) {
                ok = 0;
            }
            if (!ok && verbose)
                printf("  FAIL %s: %s\n", name, why);
            free(want);
            (void)types;
        }
        for (size_t k = 0; k < nb; k++) {
            aclDestroyDataBuffer(dbs[k]);
            free(bufs[k]);
        }
        aclmdlDestroyDataset(in);
        aclmdlDestroyDataset(out);
    }
    aclmdlDestroyDesc(d);
    aclmdlUnload(id);
    (void)aclGetRecentErrMsg();
    if (ok && sets > 0 && value_sized)
        value_tests++;
    if (invalid) {
        last_reason = R_INVALID;
        return -1;
    }
    return ok && sets > 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *dir = "/usr/share/libonnx-testdata/data/node", *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose++;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else
            dir = argv[i];
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "onnx_conformance: cannot open %s (install libonnx-testdata)\n", dir);
        return 2;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "test_", 5) == 0 && (!only || strstr(e->d_name, only))) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS)
        return 2;
    int pass = 0, fail = 0, unsup = 0;
    for (size_t i = 0; i < n; i++) {
        char op[64];
        int r = run_test(dir, names[i], op, sizeof op);
        struct op_stat *st = stat_for(op);
        if (r > 0)
            pass++, st->pass++;
        else if (r == 0)
            fail++, st->fail++;
        else
            unsup++, st->unsupported++, reason_counts[last_reason]++;
        free(names[i]);
    }
    free(names);
    printf("%-28s %6s %6s %12s\n", "operator", "passed", "failed", "unsupported");
    for (int i = 0; i < nstats; i++)
        if (stats[i].pass || stats[i].fail)
            printf("%-28s %6d %6d %12d\n", stats[i].op, stats[i].pass, stats[i].fail, stats[i].unsupported);
    printf("unsupported operators:");
    for (int i = 0; i < nstats; i++)
        if (!stats[i].pass && !stats[i].fail)
            printf(" %s", stats[i].op);
    printf("\nrefused, by reason:\n");
    for (int r = 0; r < R_COUNT; r++)
        if (reason_counts[r])
            printf("  %4d  %s\n", reason_counts[r], reason_names[r]);
    printf("conformance: %d passed, %d failed (%d tests of unsupported operators or types; %d passed compiled for "
           "the values of their shape inputs)\n",
           pass, fail, unsup, value_tests);
    aclrtResetDevice(0);
    aclFinalize();
    return fail ? 1 : 0;
}

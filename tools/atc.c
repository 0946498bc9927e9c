/*
 * atc: hostacl's model converter, taking the command lines Ascend
 * applications' build scripts give Huawei's ATC.
 *
 *   atc --model=x.onnx --framework=5 --output=x --soc_version=Ascend310
 *       [--input_shape="in:1,3,224,224"] [--insert_op_conf=aipp.cfg]
 *       [--dynamic_batch_size="1,2,4,8" | --dynamic_image_size=... |
 *        --dynamic_dims=...] [--input_format=NCHW] [--out_nodes=...]
 *       [--output_type=FP32] [--input_fp16_nodes=...] ...
 *
 * writes x.om: hostacl's container (docs/semantics.md, "Offline models")
 * holding the ONNX model, the conversion options and the AIPP file. The
 * conversion is checked by loading the result through aclmdlLoadFromMem,
 * so every error a load would meet (a bad node, an input_shape naming no
 * input, AIPP sizes that do not fit) is reported now, with its message,
 * and atc exits non-zero. --mode=1 writes a model as JSON, --mode=6
 * prints what a .om holds, --mode=3 checks a model and writes a report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl/acl.h"
#include "om.h"

/* Every flag Huawei's ATC takes (its current list); value sets where ATC
 * checks one. Flags marked `conv` change the converted model and are
 * recorded in the container; the others are accepted and recorded. */
struct flag {
    const char *name;
    const char *values; /* "a|b|c", or NULL for free values */
    int conv;
};

static const struct flag flags[] = {
    {"mode", "0|1|3|5|6|7|30", 0},
    {"model", NULL, 0},
    {"weight", NULL, 0},
    {"framework", "0|1|3|5", 0},
    {"output", NULL, 0},
    {"soc_version", NULL, 0},
    {"om", NULL, 0},
    {"json", NULL, 0},
    {"input_format", "NCHW|NHWC|ND|NCDHW|NDHWC", 1},
    {"input_shape", NULL, 1},
    {"input_shape_range", NULL, 1},
    {"dynamic_batch_size", NULL, 1},
    {"dynamic_image_size", NULL, 1},
    {"dynamic_dims", NULL, 1},
    {"insert_op_conf", NULL, 0},
    {"input_fp16_nodes", NULL, 1},
    {"is_input_adjust_hw_layout", NULL, 1},
    {"out_nodes", NULL, 1},
    {"output_type", NULL, 1},
    {"is_output_adjust_hw_layout", NULL, 1},
    {"precision_mode", "force_fp16|force_fp32|cube_fp16in_fp32out|allow_mix_precision|allow_fp32_to_fp16|"
                       "must_keep_origin_dtype|allow_mix_precision_fp16|allow_mix_precision_bf16|allow_fp32_to_bf16",
     1},
    {"precision_mode_v2", "fp16|origin|cube_fp16in_fp32out|mixed_float16|mixed_bfloat16|cube_hif8|mixed_hif8", 1},
    {"log", "debug|info|warning|error|null", 0},
    {"op_select_implmode", "high_precision|high_performance|high_precision_for_all|high_performance_for_all", 0},
    {"optypelist_for_implmode", NULL, 0},
    {"buffer_optimize", "l1_optimize|l2_optimize|off_optimize", 0},
    {"op_compiler_cache_mode", "enable|disable|force", 0},
    {"core_type", "AiCore|VectorCore", 0},
    {"dump_mode", "0|1", 0},
    {"display_model_info", "0|1", 0},
    {"disable_reuse_memory", "0|1", 0},
    {"enable_small_channel", "0|1", 0},
    {"op_debug_level", "0|1|2|3|4", 0},
    {"jit_compile", "0|1|2", 0},
    {"check_report", NULL, 0},
    {"save_original_model", "true|false|1|0|t|f|yes|no|y|n", 0},
    {"enable_scope_fusion_passes", NULL, 0},
    {"singleop", NULL, 0},
    {"modify_mixlist", NULL, 0},
    {"keep_dtype", NULL, 0},
    {"input_hint_shape", NULL, 0},
    {"cal_conf", NULL, 0},
    {"op_name_map", NULL, 0},
    {"target", NULL, 0},
    {"op_precision_mode", NULL, 0},
    {"allow_hf32", NULL, 0},
    {"auto_tune_mode", NULL, 0},
    {"optimization_switch", NULL, 0},
    {"static_model_ops_lower_limit", NULL, 0},
    {"h2d_overlapped_with_compute", NULL, 0},
    {"raw_ge_options", NULL, 0},
    {"raw_ge_options_ignore_unsupported", NULL, 0},
    {"virtual_type", NULL, 0},
    {"aicore_num", NULL, 0},
    {"fusion_switch_file", NULL, 0},
    {"compression_optimize_conf", NULL, 0},
    {"customize_dtypes", NULL, 0},
    {"op_debug_config", NULL, 0},
    {"enable_compress_weight", NULL, 0},
    {"enable_attr_compression", NULL, 0},
    {"compress_weight_conf", NULL, 0},
    {"sparsity", NULL, 0},
    {"enable_single_stream", NULL, 0},
    {"ac_parallel_enable", NULL, 0},
    {"tiling_schedule_optimize", NULL, 0},
    {"debug_dir", NULL, 0},
    {"status_check", NULL, 0},
    {"op_compiler_cache_dir", NULL, 0},
    {"mdl_bank_path", NULL, 0},
    {"op_bank_path", NULL, 0},
    {"device_id", NULL, 0},
    {"shape_generalized_build_mode", NULL, 0},
    {"atomic_clean_policy", NULL, 0},
    {"external_weight", NULL, 0},
    {"deterministic", NULL, 0},
    {"deterministic_level", NULL, 0},
    {"host_env_os", NULL, 0},
    {"host_env_cpu", NULL, 0},
    {"cluster_config", NULL, 0},
    {"hccl_sub_comm_config", NULL, 0},
    {"quant_dumpable", NULL, 0},
    {"is_weight_clip", NULL, 0},
    {"oo_level", NULL, 0},
    {"build_config", NULL, 0},
    {"export_compile_stat", NULL, 0},
    {"multi_stream_parallel_mode", NULL, 0},
    {"oo_constant_folding", NULL, 0},
    {"oo_dead_code_elimination", NULL, 0},
    {"topo_sorting_mode", NULL, 0},
};
#define NFLAGS (sizeof flags / sizeof flags[0])

static const char *val[NFLAGS];

static int fails;

static void error(const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", code);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fails++;
}

static int finish(int ok)
{
    if (ok && !fails) {
        printf("ATC run success, welcome to the next use.\n");
        return 0;
    }
    fprintf(stderr, "ATC run failed, Please check the detail log, Try 'atc --help' for more information\n");
    return 1;
}

static const char *get(const char *name)
{
    for (size_t i = 0; i < NFLAGS; i++)
        if (!strcmp(flags[i].name, name))
            return val[i];
    return NULL;
}

static void usage(void)
{
    printf("usage: atc --model=<model.onnx> --framework=5 --output=<name> --soc_version=<Ascend...> [options]\n"
           "       atc --mode=1 --om=<model.om|model.onnx> --json=<out.json>\n"
           "       atc --mode=6 --om=<model.om>\n\n"
           "hostacl's converter: writes <name>.om, the ONNX model with its conversion options, which hostacl's\n"
           "aclmdlLoad* calls run. Options that change the model:\n"
           "  --input_shape=\"name:d0,d1,...;...\"   fixed input shapes (-1 where a dynamic flag decides)\n"
           "  --input_format=NCHW|NHWC|ND|NCDHW|NDHWC\n"
           "  --dynamic_batch_size=\"1,2,4\" | --dynamic_image_size=\"h,w;h,w\" | --dynamic_dims=\"a,b;c,d\"\n"
           "  --insert_op_conf=<aipp.cfg>           static or dynamic AIPP\n"
           "  --input_fp16_nodes=\"a;b\"              float16 inputs\n"
           "  --out_nodes=\"node:0;...\"  --output_type=FP32|FP16|UINT8|...|\"node:0:FP16;...\"\n"
           "  --precision_mode=...                  allow_mix_precision_bf16 / allow_fp32_to_bf16 compute in bfloat16\n"
           "Every other flag of Huawei's ATC is accepted and recorded.\n");
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Loads bytes through the public API: the model id, or 0 with the error
 * printed. */
static uint32_t load(const void *bytes, size_t len, const char *what)
{
    uint32_t id = 0;
    aclError rc = aclmdlLoadFromMem(bytes, len, &id);
    if (rc != ACL_SUCCESS) {
        error("E19999", "%s does not convert (error %d): %s", what, (int)rc, aclGetRecentErrMsg());
        return 0;
    }
    return id;
}

static void print_dims(FILE *o, const aclmdlIODims *d)
{
    fputc('[', o);
    for (size_t i = 0; i < d->dimCount; i++)
        fprintf(o, "%s%lld", i ? "," : "", (long long)d->dims[i]);
    fputc(']', o);
}

static void json_str(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(o, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(o, "\\u%04x", *s);
        else
            fputc(*s, o);
    }
    fputc('"', o);
}

/* The model as the application sees it: inputs, outputs, gears, AIPP. */
static void describe(FILE *o, uint32_t id, const struct hacl_om *om)
{
    aclmdlDesc *d = aclmdlCreateDesc();
    if (!d || aclmdlGetDesc(d, id) != ACL_SUCCESS) {
        aclmdlDestroyDesc(d);
        return;
    }
    fprintf(o, "{\n  \"format\": \"%s\",\n", om ? "hostacl offline model" : "ONNX");
    for (int side = 0; side < 2; side++) {
        size_t n = side ? aclmdlGetNumOutputs(d) : aclmdlGetNumInputs(d);
        fprintf(o, "  \"%s\": [", side ? "outputs" : "inputs");
        for (size_t i = 0; i < n; i++) {
            aclmdlIODims dims;
            (side ? aclmdlGetOutputDims : aclmdlGetInputDims)(d, i, &dims);
            fprintf(o, "%s\n    {\"name\": ", i ? "," : "");
            json_str(o, side ? aclmdlGetOutputNameByIndex(d, i) : aclmdlGetInputNameByIndex(d, i));
            fprintf(o, ", \"dims\": ");
            print_dims(o, &dims);
            fprintf(o, ", \"data_type\": %d, \"format\": %d, \"size\": %zu",
                    (int)(side ? aclmdlGetOutputDataType(d, i) : aclmdlGetInputDataType(d, i)),
                    (int)(side ? aclmdlGetOutputFormat(d, i) : aclmdlGetInputFormat(d, i)),
                    side ? aclmdlGetOutputSizeByIndex(d, i) : aclmdlGetInputSizeByIndex(d, i));
            if (!side) {
                aclmdlInputAippType t;
                size_t att;
                if (aclmdlGetAippType(id, i, &t, &att) == ACL_SUCCESS && t != ACL_DATA_WITHOUT_AIPP)
                    fprintf(o, ", \"aipp_type\": %d", (int)t);
            }
            fputc('}', o);
        }
        fprintf(o, "\n  ],\n");
    }
    aclmdlBatch b;
    aclmdlHW hw;
    size_t gears = 0;
    fprintf(o, "  \"dynamic_batch\": [");
    if (aclmdlGetDynamicBatch(d, &b) == ACL_SUCCESS)
        for (size_t i = 0; i < b.batchCount; i++)
            fprintf(o, "%s%llu", i ? ", " : "", (unsigned long long)b.batch[i]);
    fprintf(o, "],\n  \"dynamic_hw\": [");
    if (aclmdlGetDynamicHW(d, (size_t)-1, &hw) == ACL_SUCCESS)
        for (size_t i = 0; i < hw.hwCount; i++)
            fprintf(o, "%s[%llu, %llu]", i ? ", " : "", (unsigned long long)hw.hw[i][0],
                    (unsigned long long)hw.hw[i][1]);
    fprintf(o, "],\n  \"dynamic_dims\": [");
    if (aclmdlGetInputDynamicGearCount(d, (size_t)-1, &gears) == ACL_SUCCESS && gears) {
        aclmdlIODims *g = calloc(gears, sizeof *g);
        if (g && aclmdlGetInputDynamicDims(d, (size_t)-1, g, gears) == ACL_SUCCESS)
            for (size_t i = 0; i < gears; i++) {
                fprintf(o, "%s", i ? ", " : "");
                print_dims(o, &g[i]);
            }
        free(g);
    }
    fprintf(o, "],\n  \"options\": {");
    int first = 1;
    for (const char *p = om && om->opts ? om->opts : NULL, *end = p ? p + om->opts_len : NULL; p && p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *eq = memchr(p, '=', (size_t)(eol - p));
        if (eq) {
            char k[128], v[4096];
            snprintf(k, sizeof k, "%.*s", (int)(eq - p), p);
            snprintf(v, sizeof v, "%.*s", (int)(eol - eq - 1), eq + 1);
            fprintf(o, "%s\n    ", first ? "" : ",");
            json_str(o, k);
            fprintf(o, ": ");
            json_str(o, v);
            first = 0;
        }
        p = eol + 1;
    }
    fprintf(o, "%s}\n}\n", first ? "" : "\n  ");
    aclmdlDestroyDesc(d);
}

/* --mode=1 / 6 / 3: a model read back. */
static int inspect(int mode)
{
    const char *path = mode == 3 ? get("model") : get("om");
    if (!path) {
        error("E10004", "--mode=%d needs --%s", mode, mode == 3 ? "model" : "om");
        return finish(0);
    }
    size_t len = 0;
    char *bytes = read_all(path, &len);
    if (!bytes) {
        error("E10003", "cannot read %s: %s", path, strerror(errno));
        return finish(0);
    }
    struct hacl_om om;
    char why[256];
    int is_om = hacl_om_is(bytes, len) && hacl_om_open(bytes, len, &om, why, sizeof why) == ACL_SUCCESS;
    uint32_t id = load(bytes, len, path);
    if (mode == 3) {
        const char *rp = get("check_report") ? get("check_report") : "check_result.json";
        FILE *r = fopen(rp, "w");
        if (r) {
            fprintf(r, "{\"model\": ");
            json_str(r, path);
            fprintf(r, ", \"result\": \"%s\"", id ? "success" : "failed");
            if (!id) {
                fprintf(r, ", \"reason\": ");
                json_str(r, aclGetRecentErrMsg());
            }
            fprintf(r, "}\n");
            fclose(r);
        } else {
            error("E10003", "cannot write %s", rp);
        }
    } else if (id) {
        FILE *o = stdout;
        if (mode == 1) {
            if (!get("json")) {
                error("E10004", "--mode=1 needs --json");
            } else if (!(o = fopen(get("json"), "w"))) {
                error("E10003", "cannot write %s: %s", get("json"), strerror(errno));
            }
        }
        if (!fails && o)
            describe(o, id, is_om ? &om : NULL);
        if (o && o != stdout)
            fclose(o);
    }
    if (id)
        aclmdlUnload(id);
    free(bytes);
    return finish(id != 0);
}

/* --name=value, --name value, -name=value; '-' in names reads as '_'. */
static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            error("E10001", "'%s' is not an option: atc takes --name=value options only", a);
            continue;
        }
        a += a[1] == '-' ? 2 : 1;
        char name[128];
        size_t n = strcspn(a, "=");
        if (n >= sizeof name) {
            error("E10001", "option '%.40s...' is not known", a);
            continue;
        }
        for (size_t k = 0; k < n; k++)
            name[k] = a[k] == '-' ? '_' : a[k];
        name[n] = '\0';
        if (!strcmp(name, "help") || !strcmp(name, "h")) {
            usage();
            exit(0);
        }
        const char *v = a[n] == '=' ? a + n + 1 : NULL;
        size_t f = 0;
        while (f < NFLAGS && strcmp(flags[f].name, name) != 0)
            f++;
        if (f == NFLAGS) {
            error("E10001", "the option [--%s] is not known to ATC; try 'atc --help'", name);
            if (!v && i + 1 < argc && argv[i + 1][0] != '-')
                i++;
            continue;
        }
        if (!v) {
            if (i + 1 >= argc) {
                error("E10004", "the option [--%s] needs a value", name);
                continue;
            }
            v = argv[++i];
        }
        if (strchr(v, '\n')) {
            error("E10001", "the value of [--%s] holds a line break", name);
            continue;
        }
        if (flags[f].values) {
            /* value sets are matched exactly; booleans in any case */
            const char *s = flags[f].values;
            int ok = 0;
            while (*s && !ok) {
                size_t l = strcspn(s, "|");
                ok = strlen(v) == l && (!strncmp(s, v, l) || (!strcmp(name, "save_original_model") &&
                                                              !strncasecmp(s, v, l)));
                s += l + (s[l] == '|');
            }
            if (!ok) {
                error("E10001", "value [%s] for parameter [--%s] is invalid: it must be one of %s", v, name,
                      flags[f].values);
                continue;
            }
        }
        val[f] = v;
    }
    return fails == 0;
}

int main(int argc, char **argv)
{
    printf("ATC start working now, please wait for a moment.\n");
    fflush(stdout);
    if (argc < 2) {
        usage();
        return finish(0);
    }
    if (!parse_args(argc, argv))
        return finish(0);
    int mode = get("mode") ? atoi(get("mode")) : 0;
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS) {
        error("E19999", "the runtime does not start: %s", aclGetRecentErrMsg());
        return finish(0);
    }
    if (mode == 1 || mode == 6 || mode == 3)
        return inspect(mode);
    if (mode != 0) {
        error("E10001", "--mode=%d is not supported by hostacl's atc (0, 1, 3 and 6 are)", mode);
        return finish(0);
    }
    static const char *const required[] = {"model", "framework", "output", "soc_version"};
    for (size_t i = 0; i < 4; i++)
        if (!get(required[i]))
            error("E10004", "the option [--%s] is required", required[i]);
    if (fails)
        return finish(0);
    if (strcmp(get("framework"), "5") != 0) {
        error("E10001", "--framework=%s: hostacl's atc converts ONNX models (--framework=5); Caffe (0), MindSpore "
                        "(1) and TensorFlow (3) models are not supported",
              get("framework"));
        return finish(0);
    }
    if (get("singleop") || get("input_shape_range")) {
        error("E10001", "--%s is not supported by hostacl's atc", get("singleop") ? "singleop" : "input_shape_range");
        return finish(0);
    }
    if (get("weight"))
        fprintf(stderr, "W10010: --weight is ignored for ONNX models\n");
    const char *out = get("output");
    size_t ol = strlen(out);
    if (!ol || out[ol - 1] == '/') {
        error("E10001", "--output=%s must name a file (a path and a base name)", out);
        return finish(0);
    }
    size_t mlen = 0, alen = 0;
    char *onnx = read_all(get("model"), &mlen);
    if (!onnx) {
        error("E10003", "cannot read the model file %s: %s", get("model"), strerror(errno));
        return finish(0);
    }
    if (hacl_om_is(onnx, mlen) || hacl_om_is_huawei(onnx, mlen)) {
        error("E10001", "%s is already an offline model; --model takes the ONNX file", get("model"));
        free(onnx);
        return finish(0);
    }
    char *aipp = NULL;
    if (get("insert_op_conf") && !(aipp = read_all(get("insert_op_conf"), &alen))) {
        error("E10003", "cannot read the AIPP configuration %s: %s", get("insert_op_conf"), strerror(errno));
        free(onnx);
        return finish(0);
    }
    /* the options, every given flag as name=value */
    size_t cap = 4096;
    for (size_t i = 0; i < NFLAGS; i++)
        cap += val[i] ? strlen(flags[i].name) + strlen(val[i]) + 2 : 0;
    char *opts = malloc(cap);
    size_t on = 0;
    for (size_t i = 0; opts && i < NFLAGS; i++)
        if (val[i] && strcmp(flags[i].name, "model") && strcmp(flags[i].name, "output"))
            on += (size_t)snprintf(opts + on, cap - on, "%s=%s\n", flags[i].name, val[i]);
    void *om = NULL;
    size_t omlen = 0;
    int ok = opts && hacl_om_write(onnx, mlen, opts, on, aipp, aipp ? alen : 0, &om, &omlen) == ACL_SUCCESS;
    free(opts);
    free(onnx);
    free(aipp);
    if (!ok) {
        error("E19999", "out of memory");
        return finish(0);
    }
    uint32_t id = load(om, omlen, get("model"));
    if (id && get("display_model_info") && !strcmp(get("display_model_info"), "1"))
        describe(stdout, id, NULL);
    if (id)
        aclmdlUnload(id);
    if (id) {
        char *path = malloc(ol + 4);
        if (path) {
            snprintf(path, ol + 4, ol > 3 && !strcmp(out + ol - 3, ".om") ? "%s" : "%s.om", out);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(om, 1, omlen, f) != omlen || fclose(f) != 0) {
                error("E10003", "cannot write %s: %s", path, strerror(errno));
                f = NULL;
            }
            free(path);
        }
    }
    free(om); /* atc links the static library, whose allocator is the C library's */
    aclrtResetDevice(0);
    aclFinalize();
    return finish(id != 0);
}

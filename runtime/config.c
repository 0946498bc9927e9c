/*
 * Configuration (see config.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/alloc.h"
#include "device/trace.h"
#include "error.h"
#include "json.h"

#define API "aclInit"

void hacl_config_defaults(struct hacl_config *cfg)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t ram = (pages > 0 && psize > 0) ? (size_t)pages * (size_t)psize : ((size_t)8 << 30);
    size_t mem = ram / 2;
    if (mem > ((size_t)16 << 30))
        mem = (size_t)16 << 30;
    if (ncpu < 1)
        ncpu = 1;
    if (ncpu > HACL_MAX_THREADS)
        ncpu = HACL_MAX_THREADS;
    memset(cfg, 0, sizeof *cfg);
    cfg->device_count = 1;
    cfg->device_memory = mem;
    cfg->compute_threads = (unsigned)ncpu;
    cfg->worker_threads = (unsigned)ncpu;
    cfg->err_msg_process = 0;
    cfg->spin_us = 20;
    cfg->precision = HACL_PREC_FORCE_FP32;
}

int hacl_parse_size(const char *s, size_t *out)
{
    if (!s || !*s)
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || s[0] == '-')
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: return -1;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end != '\0' || (shift && v > (SIZE_MAX >> shift)))
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

/* A JSON number that is a whole number in [lo, hi]. */
static int json_uint(const struct hacl_json *v, double lo, double hi, unsigned long long *out)
{
    if (!v || v->type != HACL_JSON_NUMBER || v->number < lo || v->number > hi ||
        floor(v->number) != v->number)
        return -1;
    *out = (unsigned long long)v->number;
    return 0;
}

/* "on"/"off" (or a level for task_time): 1, 0, or -1 when neither. */
static int on_off(const struct hacl_json *v, int dflt)
{
    if (!v)
        return dflt;
    if (v->type != HACL_JSON_STRING)
        return -1;
    if (!strcmp(v->string, "on") || !strcmp(v->string, "l1") || !strcmp(v->string, "l2") ||
        !strcmp(v->string, "l3"))
        return 1;
    if (!strcmp(v->string, "off"))
        return 0;
    if (!strcmp(v->string, "l0"))
        return 2;
    return -1;
}

/* The "profiler" section (msprof's keys): switch, output, task_time,
 * ascendcl / runtime_api, msproftx, storage_limit ("<n>MB"); hardware
 * keys (aic_metrics, aicpu, l2, hccl, sys_hardware_mem_freq, ...) are
 * accepted and noted. */
static aclError apply_profiler(const struct hacl_json *p, const char *path, struct hacl_config *cfg)
{
    if (!p)
        return ACL_SUCCESS;
    if (p->type != HACL_JSON_OBJECT)
        return hacl_err(ACL_ERROR_INVALID_PROFILING_CONFIG, API, "config file %s: \"profiler\" must be an object",
                        path);
    const struct hacl_json *sw = hacl_json_get(p, "switch");
    int on = on_off(sw, -1);
    if (on != 0 && on != 1)
        return hacl_err(ACL_ERROR_INVALID_PROFILING_CONFIG, API,
                        "config file %s: profiler \"switch\" must be \"on\" or \"off\"", path);
    if (!on)
        return ACL_SUCCESS;
    const struct hacl_json *out = hacl_json_get(p, "output");
    if (out && (out->type != HACL_JSON_STRING || !*out->string || strlen(out->string) >= sizeof cfg->prof_output))
        return hacl_err(ACL_ERROR_INVALID_PROFILING_CONFIG, API,
                        "config file %s: profiler \"output\" must be a folder path (at most %zu bytes)", path,
                        sizeof cfg->prof_output - 1);
    if (out) {
        snprintf(cfg->prof_output, sizeof cfg->prof_output, "%s", out->string);
    } else { /* the executable's folder, as upstream */
        ssize_t n = readlink("/proc/self/exe", cfg->prof_output, sizeof cfg->prof_output - 1);
        if (n <= 0)
            n = 0;
        cfg->prof_output[n] = '\0';
        char *slash = strrchr(cfg->prof_output, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(cfg->prof_output, sizeof cfg->prof_output, ".");
    }
    static const char *flags[] = {"task_time", "ascendcl", "runtime_api", "msproftx", "task_memory"};
    int v[5];
    for (int i = 0; i < 5; i++) {
        v[i] = on_off(hacl_json_get(p, flags[i]), i == 3 || i == 4 ? 0 : 1);
        if (v[i] < 0)
            return hacl_err(ACL_ERROR_INVALID_PROFILING_CONFIG, API,
                            "config file %s: profiler \"%s\" must be \"on\", \"off\" or a level l0..l3", path,
                            flags[i]);
    }
    cfg->prof_what = HACL_TRACE_TASKS | (v[0] == 1 ? HACL_TRACE_OPS : 0) | (v[1] || v[2] ? HACL_TRACE_API : 0) |
                     (v[3] ? HACL_TRACE_MARKS : 0) | (v[4] ? HACL_TRACE_MEMORY : 0);
    const struct hacl_json *lim = hacl_json_get(p, "storage_limit");
    cfg->prof_limit = 0;
    if (lim) {
        char *end = NULL;
        unsigned long long mb = lim->type == HACL_JSON_STRING ? strtoull(lim->string, &end, 10) : 0;
        if (!end || end == lim->string || strcmp(end, "MB") || mb < 200 || mb > 4294967295ull)
            return hacl_err(ACL_ERROR_INVALID_PROFILING_CONFIG, API,
                            "config file %s: profiler \"storage_limit\" must be \"<n>MB\" with n from 200 to "
                            "4294967295", path);
        cfg->prof_limit = (uint64_t)mb << 20;
    }
    cfg->prof_on = 1;
    return ACL_SUCCESS;
}

static aclError apply_json(const struct hacl_json *root, const char *path, struct hacl_config *cfg)
{
    if (root->type != HACL_JSON_OBJECT)
        return hacl_err(ACL_ERROR_PARSE_FILE, API, "config file %s: the top level must be a JSON object", path);

    const struct hacl_json *mode = hacl_json_get(root, "err_msg_mode");
    if (mode) {
        if (mode->type == HACL_JSON_STRING && (strcmp(mode->string, "0") == 0 || strcmp(mode->string, "1") == 0))
            cfg->err_msg_process = mode->string[0] == '1';
        else if (mode->type == HACL_JSON_NUMBER && (mode->number == 0 || mode->number == 1))
            cfg->err_msg_process = mode->number == 1;
        else
            return hacl_err(ACL_ERROR_FILE_ATTR_INVALID, API, "config file %s: err_msg_mode must be \"0\" or \"1\"",
                            path);
    }

    aclError prc = apply_profiler(hacl_json_get(root, "profiler"), path, cfg);
    if (prc != ACL_SUCCESS)
        return prc;

    const struct hacl_json *h = hacl_json_get(root, "hostacl");
    if (!h)
        return ACL_SUCCESS;
    if (h->type != HACL_JSON_OBJECT)
        return hacl_err(ACL_ERROR_FILE_ATTR_INVALID, API, "config file %s: \"hostacl\" must be an object", path);

    unsigned long long u;
    const struct hacl_json *v;
    if ((v = hacl_json_get(h, "device_count"))) {
        if (json_uint(v, 1, HACL_MAX_DEVICES, &u) != 0)
            return hacl_err(ACL_ERROR_FILE_ATTR_INVALID, API,
                            "config file %s: hostacl.device_count must be a whole number from 1 to %d", path,
                            HACL_MAX_DEVICES);
        cfg->device_count = (uint32_t)u;
    }
    if ((v = hacl_json_get(h, "device_memory"))) {
        size_t sz = 0;
        int ok = 0;
        if (v->type == HACL_JSON_STRING)
            ok = hacl_parse_size(v->string, &sz) == 0;
        else if (json_uint(v, 0, 9.0e18, &u) == 0)
            ok = 1, sz = (size_t)u;
        if (!ok || sz < HACL_MIN_DEVICE_MEMORY)
            return hacl_err(ACL_ERROR_FILE_ATTR_INVALID, API,
                            "config file %s: hostacl.device_memory must be a size of at least 1M (bytes, or a "
                            "string such as \"4G\")",
                            path);
        cfg->device_memory = sz;
    }
    if ((v = hacl_json_get(h, "spin_us"))) {
        if (json_uint(v, 0, 100000, &u) != 0)
            return hacl_err(ACL_ERROR_FILE_ATTR_INVALID, API,
                            "config file %s: hostacl.spin_us must be a whole number from 0 to 100000", path);
        cfg->spin_us = (unsigned)u;
    }
    if ((v = hacl_json_get(h, "precision_mode"))) {
        int m = v->type == HACL_JSON_STRING ? hacl_precision_parse(v->string) : -1;
        if (m < 0)
            return hacl_err(ACL_ERROR_FILE_ATTR_INVALID, API,
                            "config file %s: hostacl.precision_mode must be \"force_fp32\", \"allow_bf16\" or "
                            "\"must_keep_origin_dtype\"",
                            path);
        cfg->precision = m;
    }
    static const char *const tkeys[2] = {"compute_threads", "worker_threads"};
    unsigned *tvals[2] = {&cfg->compute_threads, &cfg->worker_threads};
    for (int i = 0; i < 2; i++) {
        if ((v = hacl_json_get(h, tkeys[i]))) {
            if (json_uint(v, 1, HACL_MAX_THREADS, &u) != 0)
                return hacl_err(ACL_ERROR_FILE_ATTR_INVALID, API,
                                "config file %s: hostacl.%s must be a whole number from 1 to %d", path, tkeys[i],
                                HACL_MAX_THREADS);
            *tvals[i] = (unsigned)u;
        }
    }
    return ACL_SUCCESS;
}

static aclError load_file(const char *path, struct hacl_config *cfg)
{
    aclError rc = ACL_SUCCESS;
    char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hacl_err(ACL_ERROR_INVALID_FILE, API, "cannot open config file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = hacl_err(ACL_ERROR_INVALID_FILE, API, "config file %s is not a regular file", path);
        goto out;
    }
    if ((size_t)st.st_size > HACL_MAX_CONFIG_FILE) {
        rc = hacl_err(ACL_ERROR_INVALID_FILE_SIZE, API, "config file %s is larger than %zu bytes", path,
                      HACL_MAX_CONFIG_FILE);
        goto out;
    }
    size_t len = (size_t)st.st_size, got = 0;
    buf = hacl_malloc(len + 1);
    if (!buf) {
        rc = hacl_err(ACL_ERROR_BAD_ALLOC, API, "no memory to read config file %s", path);
        goto out;
    }
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != len) {
        rc = hacl_err(ACL_ERROR_INVALID_FILE, API, "cannot read config file %s", path);
        goto out;
    }
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    if (i == len) /* an empty file configures nothing */
        goto out;
    struct hacl_json *root = NULL;
    char why[160];
    int pr = hacl_json_parse(buf, len, &root, why, sizeof why);
    if (pr == -2) {
        rc = hacl_err(ACL_ERROR_BAD_ALLOC, API, "no memory to parse config file %s", path);
        goto out;
    }
    if (pr != 0) {
        rc = hacl_err(ACL_ERROR_PARSE_FILE, API, "config file %s is not valid JSON: %s", path, why);
        goto out;
    }
    rc = apply_json(root, path, cfg);
    hacl_json_free(root);
out:
    hacl_free(buf);
    close(fd);
    return rc;
}

static aclError env_uint(const char *name, unsigned long lo, unsigned long hi, unsigned long *out, int *set)
{
    const char *s = getenv(name);
    *set = 0;
    if (!s || !*s)
        return ACL_SUCCESS;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end != '\0' || s[0] == '-' || v < lo || v > hi)
        return hacl_err(ACL_ERROR_INVALID_PARAM, API, "environment variable %s=\"%s\" must be a whole number from %lu to %lu",
                        name, s, lo, hi);
    *out = v;
    *set = 1;
    return ACL_SUCCESS;
}

static aclError load_env(struct hacl_config *cfg)
{
    unsigned long v;
    int set;
    aclError rc;
    if ((rc = env_uint("HOSTACL_DEVICE_COUNT", 1, HACL_MAX_DEVICES, &v, &set)) != ACL_SUCCESS)
        return rc;
    if (set)
        cfg->device_count = (uint32_t)v;
    if ((rc = env_uint("HOSTACL_COMPUTE_THREADS", 1, HACL_MAX_THREADS, &v, &set)) != ACL_SUCCESS)
        return rc;
    if (set)
        cfg->compute_threads = (unsigned)v;
    if ((rc = env_uint("HOSTACL_WORKER_THREADS", 1, HACL_MAX_THREADS, &v, &set)) != ACL_SUCCESS)
        return rc;
    if (set)
        cfg->worker_threads = (unsigned)v;
    if ((rc = env_uint("HOSTACL_SPIN_US", 0, 100000, &v, &set)) != ACL_SUCCESS)
        return rc;
    if (set)
        cfg->spin_us = (unsigned)v;
    const char *pm = getenv("HOSTACL_PRECISION_MODE");
    if (pm && *pm) {
        int mode = hacl_precision_parse(pm);
        if (mode < 0)
            return hacl_err(ACL_ERROR_INVALID_PARAM, API,
                            "environment variable HOSTACL_PRECISION_MODE=\"%s\" must be force_fp32, allow_bf16 or "
                            "must_keep_origin_dtype",
                            pm);
        cfg->precision = mode;
    }
    const char *m = getenv("HOSTACL_DEVICE_MEMORY");
    if (m && *m) {
        size_t sz;
        if (hacl_parse_size(m, &sz) != 0 || sz < HACL_MIN_DEVICE_MEMORY)
            return hacl_err(ACL_ERROR_INVALID_PARAM, API,
                            "environment variable HOSTACL_DEVICE_MEMORY=\"%s\" must be a size of at least 1M "
                            "(such as 512M or 4G)",
                            m);
        cfg->device_memory = sz;
    }
    return ACL_SUCCESS;
}

int hacl_precision_parse(const char *s)
{
    static const char *const names[] = {"force_fp32", "allow_bf16", "must_keep_origin_dtype"};
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

aclError hacl_config_load(const char *path, struct hacl_config *cfg)
{
    hacl_config_defaults(cfg);
    if (path) {
        aclError rc = load_file(path, cfg);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    return load_env(cfg);
}

/*
 * Who drives the timeline recorder (device/trace.h), and where it writes.
 *
 * One recording at a time, started by one of:
 *   - HOSTACL_TRACE=file: from aclInit to aclFinalize (or the process's
 *     end), into that file, everything recorded;
 *   - the aclInit JSON's "profiler" section ("switch": "on"): from aclInit
 *     to aclFinalize, into msprof's layout under "output";
 *   - aclprofStart/aclprofStop (prof/): into msprof's layout under the
 *     folder given to aclprofInit.
 * The mode says which profiling interface owns the process (AscendCL
 * refuses the aclprof calls while the JSON configuration profiles, and
 * keeps collections and model subscriptions apart).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "device/alloc.h"
#include "device/trace.h"
#include "runtime.h"

static pthread_mutex_t prof_lock = PTHREAD_MUTEX_INITIALIZER;
static int mode;            /* enum hacl_prof_mode */
static int env_recording;   /* the recording is HOSTACL_TRACE's */
static int config_recording; /* ... or the aclInit JSON's */

int hacl_prof_mode(void)
{
    pthread_mutex_lock(&prof_lock);
    int m = mode;
    pthread_mutex_unlock(&prof_lock);
    return m;
}

int hacl_prof_claim(int from, int to)
{
    pthread_mutex_lock(&prof_lock);
    int was = mode;
    if (mode == from)
        mode = to;
    pthread_mutex_unlock(&prof_lock);
    return was;
}

/* mkdir -p: 0, or -1 with errno. */
static int make_dirs(const char *path)
{
    char buf[4200];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return -1;
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

aclError hacl_prof_record_start(const char *api, const char *dir, unsigned what, uint64_t max_bytes)
{
    /* dir/PROF_<pid>_<local time with ms>_<16 letters>/mindstudio_profiler_output/msprof_<time>.json */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    localtime_r(&now.tv_sec, &tm);
    char stamp[32], letters[17];
    strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
    uint64_t r = (uint64_t)now.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid() << 32 ^ hacl_trace_now();
    for (int i = 0; i < 16; i++) {
        r ^= r >> 29, r *= 0xBF58476D1CE4E5B9ull, r ^= r >> 32;
        letters[i] = (char)('A' + r % 26);
    }
    letters[16] = '\0';
    size_t cap = strlen(dir) + 160;
    char *folder = hacl_malloc(cap), *file = hacl_malloc(cap + 40);
    aclError rc = ACL_SUCCESS;
    if (!folder || !file) {
        rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "no memory for the profiling output path");
        goto out;
    }
    snprintf(folder, cap, "%s/PROF_%06d_%s%03ld_%s/mindstudio_profiler_output", dir, (int)getpid() % 1000000, stamp,
             now.tv_nsec / 1000000, letters);
    if (make_dirs(folder) != 0) {
        rc = hacl_err(ACL_ERROR_INVALID_FILE, api, "cannot create the profiling folder %s: %s", folder,
                      strerror(errno));
        goto out;
    }
    snprintf(file, cap + 40, "%s/msprof_%s.json", folder, stamp);
    if (hacl_trace_start(file, what, max_bytes) != 0) {
        rc = hacl_err(ACL_ERROR_PROF_ALREADY_RUN, api, "a timeline is already being recorded%s",
                      env_recording ? " (HOSTACL_TRACE)" : "");
        goto out;
    }
    hacl_log(ACL_INFO, "%s: recording a timeline into %s", api, file);
out:
    hacl_free(folder);
    hacl_free(file);
    return rc;
}

aclError hacl_prof_record_stop(const char *api)
{
    char *path = hacl_trace_path();
    if (hacl_trace_stop() != 0) {
        aclError rc = hacl_err(ACL_ERROR_PROFILING_FAILURE, api, "the timeline could not be written to %s",
                               path ? path : "(nothing recorded)");
        hacl_free(path);
        return rc;
    }
    hacl_log(ACL_INFO, "%s: timeline written to %s", api, path ? path : "?");
    hacl_free(path);
    return ACL_SUCCESS;
}

static void stop_at_exit(void)
{
    if (env_recording || config_recording)
        hacl_trace_stop();
}

aclError hacl_prof_at_init(const struct hacl_config *cfg)
{
    static int registered;
    const char *path = getenv("HOSTACL_TRACE");
    const char *lim = getenv("HOSTACL_TRACE_LIMIT_MB");
    uint64_t limit = lim ? strtoull(lim, NULL, 10) << 20 : 0;
    aclError rc = ACL_SUCCESS;
    if (cfg->prof_on && !hacl_tracing()) {
        rc = hacl_prof_record_start("aclInit", cfg->prof_output, cfg->prof_what, cfg->prof_limit);
        if (rc == ACL_SUCCESS) {
            pthread_mutex_lock(&prof_lock);
            mode = HACL_PROF_CONFIG;
            config_recording = 1;
            pthread_mutex_unlock(&prof_lock);
        }
    } else if (path && *path && !hacl_tracing()) {
        if (hacl_trace_start(path, HACL_TRACE_ALL, limit) == 0) {
            env_recording = 1;
            hacl_log(ACL_INFO, "recording a timeline into %s (HOSTACL_TRACE)", path);
        }
    }
    if ((env_recording || config_recording) && !registered++)
        atexit(stop_at_exit);
    return rc;
}

void hacl_prof_at_finalize(void)
{
    pthread_mutex_lock(&prof_lock);
    int env = env_recording, config = config_recording;
    env_recording = config_recording = 0;
    if (mode == HACL_PROF_CONFIG)
        mode = HACL_PROF_OFF;
    pthread_mutex_unlock(&prof_lock);
    /* every task has run: the timeline is complete */
    if (env && hacl_trace_stop() != 0)
        hacl_log(ACL_WARNING, "the timeline (HOSTACL_TRACE) could not be written");
    if (config)
        hacl_prof_record_stop("aclFinalize");
}

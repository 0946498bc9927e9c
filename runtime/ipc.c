/*
 * The registry of what this process shares with others, and importing
 * from another process's registry (see ipc.h for the scheme).
 *
 * Importers find an exporter's registry by scanning /proc/<pid>/fd for the
 * memfd named REG_NAME; the mapping is cached by (pid, inode), so a pid
 * reused by a new process maps the new process's registry. The memory
 * behind a slot is opened through /proc/<pid>/fd/<fd> and must be one of
 * hostacl's memfds ("hacl-" names), never an arbitrary file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/alloc.h"
#include "ipc.h"
#include "runtime.h"

#define SLOTS 1024u
#define REG_NAME "hacl-ipc-registry"
#define REG_BYTES (SLOTS * sizeof(struct hacl_ipc_slot))
#define MAX_PEERS 64

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hacl_ipc_slot *own;   /* this process's registry, mapped shared */
static int own_fd = -1;
static pid_t own_pid;               /* the pid it was made in (a forked child makes its own) */
static uint8_t taken[SLOTS];        /* which slots are in use here */
static uint32_t next_slot;

static struct peer {
    pid_t pid;
    ino_t ino;
    struct hacl_ipc_slot *map;
} peers[MAX_PEERS];
static unsigned npeers;

/* Caller holds reg_lock. */
static int own_registry_locked(void)
{
    if (own && own_pid == getpid())
        return 0;
    /* none yet, or inherited across fork: this process needs its own
     * (the parent's stays mapped here, unused) */
    int fd = memfd_create(REG_NAME, MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    void *m = MAP_FAILED;
    if (ftruncate(fd, (off_t)REG_BYTES) == 0)
        m = mmap(NULL, REG_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        return -1;
    }
    own = m;
    own_fd = fd;
    own_pid = getpid();
    memset(taken, 0, sizeof taken);
    next_slot = 0;
    return 0;
}

aclError hacl_ipc_slot_take(const char *api, enum hacl_ipc_kind kind, int fd, uint64_t offset, uint64_t size,
                            uint32_t *out)
{
    pthread_mutex_lock(&reg_lock);
    if (own_registry_locked() != 0) {
        int e = errno;
        pthread_mutex_unlock(&reg_lock);
        return hacl_err(ACL_ERROR_RT_IPC_ERROR, api, "cannot create the sharing registry: %s", strerror(e));
    }
    int index = -1;
    for (uint32_t k = 0; k < SLOTS && index < 0; k++) {
        uint32_t i = (next_slot + k) % SLOTS;
        if (!taken[i])
            index = (int)i;
    }
    if (index >= 0) {
        taken[index] = 1;
        next_slot = ((uint32_t)index + 1) % SLOTS;
        struct hacl_ipc_slot *s = &own[index];
        atomic_store(&s->nonce, 0);
        s->kind = kind;
        s->any_pid = 0;
        s->fd = fd;
        s->offset = offset;
        s->size = size;
        atomic_store(&s->npids, 0);
        for (int w = 0; w < 4; w++)
            atomic_store(&s->words[w], 0);
    }
    pthread_mutex_unlock(&reg_lock);
    if (index < 0)
        return hacl_err(ACL_ERROR_RT_NO_NOTIFY_RESOURCE, api, "all %u sharing slots of this process are in use",
                        SLOTS);
    *out = (uint32_t)index;
    return ACL_SUCCESS;
}

struct hacl_ipc_slot *hacl_ipc_slot_at(uint32_t index)
{
    return &own[index];
}

static uint32_t random_nonce(void)
{
    uint32_t n = 0;
    while (n == 0)
        if (getrandom(&n, sizeof n, 0) != (ssize_t)sizeof n)
            n = (uint32_t)rand() ^ (uint32_t)getpid();
    return n;
}

void hacl_ipc_publish(uint32_t index, int any_pid, struct hacl_ipc_ref *ref)
{
    struct hacl_ipc_slot *s = &own[index];
    uint32_t nonce = atomic_load(&s->nonce);
    if (!nonce) {
        s->any_pid = any_pid != 0;
        nonce = random_nonce();
        atomic_store_explicit(&s->nonce, nonce, memory_order_release); /* last: the slot is whole */
    } else if (any_pid) {
        s->any_pid = 1;
    }
    *ref = (struct hacl_ipc_ref){(int32_t)own_pid, index, nonce};
}

void hacl_ipc_slot_free(uint32_t index)
{
    pthread_mutex_lock(&reg_lock);
    if (own && index < SLOTS && taken[index]) {
        atomic_store(&own[index].nonce, 0); /* first: no import finds it from here on */
        taken[index] = 0;
    }
    pthread_mutex_unlock(&reg_lock);
}

/* The published slot of this process that ref names, or NULL. */
static struct hacl_ipc_slot *own_slot(const struct hacl_ipc_ref *ref)
{
    if (!own || ref->pid != (int32_t)getpid() || own_pid != getpid() || ref->slot >= SLOTS)
        return NULL;
    struct hacl_ipc_slot *s = &own[ref->slot];
    return atomic_load(&s->nonce) == ref->nonce ? s : NULL;
}

aclError hacl_ipc_allow(const char *api, const struct hacl_ipc_ref *ref, const int32_t *pids, size_t n)
{
    if (!pids || n == 0)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "pid must point at num > 0 process ids");
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&reg_lock);
    struct hacl_ipc_slot *s = own_slot(ref);
    uint32_t have = s ? atomic_load(&s->npids) : 0;
    if (!s)
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the key or handle is not one this process exported (or it was closed)");
    else if (have + n > HACL_IPC_MAX_PIDS)
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "at most %d processes may be allowed (%u already, %zu more asked)",
                      HACL_IPC_MAX_PIDS, have, n);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n; i++)
        if (pids[i] <= 0)
            rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "pid[%zu] = %d is not a process id", i, (int)pids[i]);
    if (rc == ACL_SUCCESS) {
        for (size_t i = 0; i < n; i++)
            s->pids[have + i] = pids[i];
        atomic_store_explicit(&s->npids, have + (uint32_t)n, memory_order_release);
    }
    pthread_mutex_unlock(&reg_lock);
    return rc;
}

/* ---- keys and handles ---- */

void hacl_ipc_format_key(const struct hacl_ipc_ref *ref, char *out, size_t len)
{
    snprintf(out, len, "hacl-ipc:%d:%u:%08x", (int)ref->pid, ref->slot, ref->nonce);
}

int hacl_ipc_parse_key(const char *key, struct hacl_ipc_ref *ref)
{
    int pid, end = 0;
    unsigned slot, nonce;
    if (!key || strnlen(key, HACL_IPC_KEY_LEN) >= HACL_IPC_KEY_LEN ||
        sscanf(key, "hacl-ipc:%d:%u:%8x%n", &pid, &slot, &nonce, &end) != 3 || key[end] != '\0' || pid <= 0 ||
        slot >= SLOTS || nonce == 0)
        return -1;
    *ref = (struct hacl_ipc_ref){pid, slot, nonce};
    return 0;
}

uint64_t hacl_ipc_pack(const struct hacl_ipc_ref *ref)
{
    return (uint64_t)(uint32_t)ref->pid << 42 | (uint64_t)ref->slot << 32 | ref->nonce;
}

int hacl_ipc_unpack(uint64_t h, struct hacl_ipc_ref *ref)
{
    uint64_t pid = h >> 42;
    uint32_t slot = (uint32_t)(h >> 32) & 0x3ffu, nonce = (uint32_t)h;
    if (pid == 0 || pid > INT32_MAX || slot >= SLOTS || nonce == 0)
        return -1;
    *ref = (struct hacl_ipc_ref){(int32_t)pid, slot, nonce};
    return 0;
}

/* ---- importing ---- */

/* Opens /proc/<pid>/fd/<fd> when it is one of hostacl's memfds whose name
 * starts with `prefix`: the descriptor, or -1. */
static int open_peer_fd(pid_t pid, int fd, const char *prefix)
{
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0)
        return -1;
    target[n] = '\0';
    char want[64];
    snprintf(want, sizeof want, "/memfd:%s", prefix);
    if (strncmp(target, want, strlen(want)) != 0)
        return -1;
    return open(path, O_RDWR | O_CLOEXEC);
}

/* The registry of process pid, mapped here: NULL when the process is gone
 * or shares nothing. Caller holds reg_lock. */
static struct hacl_ipc_slot *peer_registry_locked(pid_t pid)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    int fd = -1;
    struct dirent *de;
    while (fd < 0 && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            fd = open_peer_fd(pid, atoi(de->d_name), REG_NAME);
    closedir(d);
    if (fd < 0)
        return NULL;
    struct stat st;
    struct hacl_ipc_slot *map = NULL;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= REG_BYTES) {
        for (unsigned i = 0; i < npeers && !map; i++)
            if (peers[i].pid == pid && peers[i].ino == st.st_ino)
                map = peers[i].map;
        if (!map) {
            void *m = mmap(NULL, REG_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (m != MAP_FAILED) {
                map = m;
                if (npeers == MAX_PEERS) /* forget the oldest; its mapping stays (words may be in use) */
                    memmove(peers, peers + 1, --npeers * sizeof peers[0]);
                peers[npeers++] = (struct peer){pid, st.st_ino, map};
            }
        }
    }
    close(fd);
    return map;
}

static int pid_allowed(const struct hacl_ipc_slot *s, pid_t me)
{
    if (s->any_pid)
        return 1;
    uint32_t n = atomic_load_explicit(&s->npids, memory_order_acquire);
    for (uint32_t i = 0; i < n && i < HACL_IPC_MAX_PIDS; i++)
        if (s->pids[i] == (int32_t)me)
            return 1;
    return 0;
}

aclError hacl_ipc_import(const char *api, const struct hacl_ipc_ref *ref, enum hacl_ipc_kind kind,
                         struct hacl_ipc_slot **slot, int *fd)
{
    pid_t me = getpid();
    struct hacl_ipc_slot *reg;
    pthread_mutex_lock(&reg_lock);
    reg = ref->pid == (int32_t)me ? (own && own_pid == me ? own : NULL) : peer_registry_locked(ref->pid);
    pthread_mutex_unlock(&reg_lock);
    if (!reg)
        return hacl_err(ACL_ERROR_RT_IPC_ERROR, api,
                        "process %d shares nothing with this one (it has exited, never exported, or is not "
                        "visible here)",
                        (int)ref->pid);
    struct hacl_ipc_slot *s = &reg[ref->slot];
    if (atomic_load_explicit(&s->nonce, memory_order_acquire) != ref->nonce || s->kind != (uint32_t)kind)
        return hacl_err(ACL_ERROR_RT_IPC_ERROR, api,
                        "the key or handle names nothing process %d exports now (closed, destroyed, or not a "
                        "valid key)",
                        (int)ref->pid);
    if (ref->pid != (int32_t)me && !pid_allowed(s, me))
        return hacl_err(ACL_ERROR_RT_NO_PERMISSION, api,
                        "process %d has not allowed this process (%d) to import it: the exporter must add this "
                        "pid, or export without pid validation",
                        (int)ref->pid, (int)me);
    if (fd) {
        *fd = ref->pid == (int32_t)me ? fcntl(s->fd, F_DUPFD_CLOEXEC, 0) : open_peer_fd(ref->pid, s->fd, "hacl-");
        /* the slot may have been closed meanwhile: its fd may be another file now */
        if (*fd >= 0 && atomic_load(&s->nonce) != ref->nonce) {
            close(*fd);
            *fd = -1;
        }
        if (*fd < 0)
            return hacl_err(ACL_ERROR_RT_IPC_ERROR, api, "cannot open the memory process %d exports: %s",
                            (int)ref->pid, strerror(errno ? errno : EBADF));
    }
    *slot = s;
    return ACL_SUCCESS;
}

aclError hacl_ipc_import_key(const char *api, const char *key, enum hacl_ipc_kind kind, const char *what_made,
                             struct hacl_ipc_ref *ref, struct hacl_ipc_slot **slot)
{
    if (hacl_ipc_parse_key(key, ref) != 0)
        return hacl_err(ACL_ERROR_RT_IPC_ERROR, api, "\"%.40s\" is not a key from %s", key ? key : "", what_made);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (!ctx)
        return rc;
    hacl_obj_put(&ctx->hdr);
    return hacl_ipc_import(api, ref, kind, slot, NULL);
}

ACL_FUNC_VISIBILITY aclError aclrtDeviceGetBareTgid(int32_t *pid)
{
    if (!pid)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "pid must not be NULL");
    *pid = (int32_t)getpid();
    return ACL_SUCCESS;
}

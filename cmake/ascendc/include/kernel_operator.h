/*
 * hostacl: the part of Ascend C that simple kernels use, for running them
 * on the host (see ascendc.cmake). A kernel is a plain C++ function; its
 * launch is rewritten into hacl_ascendc_launch, which runs the kernel once
 * per block, block_idx set: at once when the stream is idle, else as a host
 * function queued on the stream (ordered with the stream's other work). Device pointers are host memory in hostacl, so __gm__ pointers
 * are ordinary pointers.
 */
#ifndef HOSTACL_ASCENDC_KERNEL_OPERATOR_H
#define HOSTACL_ASCENDC_KERNEL_OPERATOR_H

#include <cstdint>
#include <cstdio>
#include <functional>
#include <utility>

#include "acl/acl.h"

#define __global__
#define __aicore__
#define __gm__

/* The block the calling kernel instance runs as, and how many there are. */
inline thread_local int64_t block_idx = 0;
inline thread_local int64_t block_num = 1;

namespace AscendC {
inline int64_t GetBlockIdx() { return block_idx; }
inline int64_t GetBlockNum() { return block_num; }
template <class... A> inline void printf(const char *fmt, A &&...args)
{
    std::printf(fmt, std::forward<A>(args)...);
    std::fflush(stdout);
}
} // namespace AscendC

/* A kernel's trap: reported, and the rest of that kernel instance skipped. */
struct hacl_ascendc_fault {};
[[noreturn]] inline void hacl_ascendc_trap() { throw hacl_ascendc_fault{}; }

struct hacl_ascendc_job {
    std::function<void()> fn;
    uint32_t blocks;
};

inline void hacl_ascendc_run(void *arg)
{
    hacl_ascendc_job *job = static_cast<hacl_ascendc_job *>(arg);
    block_num = job->blocks;
    for (uint32_t b = 0; b < job->blocks; b++) {
        block_idx = b;
        try {
            job->fn();
        } catch (const hacl_ascendc_fault &) {
            std::fprintf(stderr, "hostacl: kernel block %u trapped\n", b);
        }
    }
    delete job;
}

/* A stream with nothing queued runs the kernel at once, on the launching
 * thread (in order all the same: nothing is before it), as a device would
 * start it; otherwise it waits its turn as a host function. */
template <class F> inline void hacl_ascendc_launch(uint32_t blocks, void *l2ctrl, void *stream, F &&fn)
{
    (void)l2ctrl;
    hacl_ascendc_job *job = new hacl_ascendc_job{std::function<void()>(std::forward<F>(fn)), blocks};
    aclrtStreamStatus st = ACL_STREAM_STATUS_NOT_READY;
    if (aclrtStreamQuery(stream, &st) == ACL_SUCCESS && st == ACL_STREAM_STATUS_COMPLETE) {
        hacl_ascendc_run(job);
        return;
    }
    if (aclrtLaunchHostFunc(stream, hacl_ascendc_run, job) != ACL_SUCCESS) {
        std::fprintf(stderr, "hostacl: kernel launch failed: %s\n", aclGetRecentErrMsg());
        delete job;
    }
}

#endif

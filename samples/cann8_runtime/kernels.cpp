// Two Ascend C kernels, compiled by the toolchain's ascendc_library (on
// hostacl: its host stand-in): each block adds 1 to its element; the
// other traps, as a kernel hitting a device exception does.
#include "kernel_operator.h"

extern "C" __global__ __aicore__ void AddOne(__gm__ uint32_t *x)
{
    int64_t i = block_idx;
    x[i] += 1;
}

extern "C" __global__ __aicore__ void Fault()
{
    asm("trap");
}

void LaunchAddOne(uint32_t blocks, void *stream, uint32_t *x)
{
    AddOne<<<blocks, nullptr, stream>>>(x);
}

void LaunchFault(void *stream)
{
    Fault<<<1, nullptr, stream>>>();
}

#!/usr/bin/python3
"""Streaming inference through hostacl's pipeline from Python (acl.hacl).

    pipeline_frames.py MODEL [--frames N] [--streams S] [--depth D]

Each stream's input callback fills the next frame straight into the
pipeline's slot (a writable memoryview per input), the output callback gets
each frame's outputs as bytes in that stream's order; no report thread,
pool or interval callbacks to write. Prints per stream the frames delivered
and a checksum of the first output, then the pipeline's statistics.
"""
import sys
import time
import zlib

import numpy as np

import acl

FRAME, END = 0, 1


def main(argv):
    if not argv:
        sys.exit(__doc__)
    model, frames, streams, depth = argv[0], 32, 2, 4
    it = iter(argv[1:])
    for a in it:
        if a == "--frames":
            frames = int(next(it))
        elif a == "--streams":
            streams = int(next(it))
        elif a == "--depth":
            depth = int(next(it))
    assert acl.init() == 0 and acl.rt.set_device(0) == 0
    p, ret = acl.hacl.pipeline_create(model, depth=depth)
    if ret != 0:
        sys.exit(f"pipeline_create: {ret}\n{acl.get_recent_err_msg()}")
    sizes = [acl.hacl.pipeline_input_size(p, i) for i in range(acl.hacl.pipeline_num_inputs(p))]
    sent = [0] * streams
    delivered = [0] * streams
    crc = [0] * streams

    def produce(stream, inputs):
        if sent[stream] == frames:
            return END
        k = sent[stream]
        for view, size in zip(inputs, sizes):
            # a synthetic "camera" frame: deterministic bytes per stream and frame
            np.frombuffer(view, np.uint8)[:] = (np.arange(size, dtype=np.uint32) * (k + 1) + stream) % 251
        sent[stream] += 1
        return FRAME

    def consume(stream, index, outputs):
        assert index == delivered[stream]  # in order, per stream
        delivered[stream] += 1
        crc[stream] = zlib.crc32(outputs[0], crc[stream])

    t0 = time.time()
    ret = acl.hacl.pipeline_connect(p, produce, consume, streams=streams)
    if ret == 0:
        ret = acl.hacl.pipeline_wait(p)
    secs = time.time() - t0
    stats, _ = acl.hacl.pipeline_get_stats(p)
    for s in range(streams):
        print(f"stream {s}: {delivered[s]} frames, output crc {crc[s]:08x}")
    print(f"pipeline_frames.py: {stats['delivered']} frames in {secs:.3f} s ({stats})")
    acl.hacl.pipeline_destroy(p)
    acl.rt.reset_device(0)
    acl.finalize()
    return 0 if ret == 0 and stats["delivered"] == frames * streams else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

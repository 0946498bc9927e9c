#!/usr/bin/python3
"""Asynchronous ResNet-50 classification in pyACL style (hostacl's `acl`).

    resnet50_async.py [execute_times] [callback_interval] [pool_size]
                      [--model FILE] [--input DIR] [--quiet]

The same program as samples/resnet50_async/main.c, written the way Ascend's
Python samples are: a report thread started with acl.util.start_thread that
loops on acl.rt.process_report, execute_async per image and a BLOCK callback
every `callback_interval` executions that copies the outputs to the host,
prints each image's top-5 and hands the dataset pairs back. Inputs are the
raw tensors in DIR (exactly the model's input size), else the C sample's
synthetic images, so both print the same top-5.
"""
import os
import sys
import threading
import time

import numpy as np

import acl

ACL_MEM_MALLOC_HUGE_FIRST = 0
ACL_MEMCPY_HOST_TO_DEVICE, ACL_MEMCPY_DEVICE_TO_HOST = 1, 2
ACL_CALLBACK_BLOCK = 1
ACL_FLOAT16 = 1
NPY_FLOAT32 = 11


def check(what, ret):
    if ret != 0:
        sys.exit(f"resnet50_async.py: {what} failed: {ret}\n{acl.get_recent_err_msg() or ''}")


def synthetic_images(size, fp16):
    """The C sample's deterministic images: value(i, k) over 2000 steps."""
    n = size // (2 if fp16 else 4)
    i = np.arange(n, dtype=np.uint64)
    out = []
    for k in range(4):
        v = ((i + np.uint64(k * 7919)) * np.uint64(2654435761)) % np.uint64(2000)  # wraps at 2**64, as size_t
        f = v.astype(np.float32) / np.float32(1000.0) - np.float32(1.0)
        out.append(f.astype(np.float16) if fp16 else f)
    return out


def load_inputs(folder, size, fp16):
    imgs = []
    if folder and os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            data = open(path, "rb").read()
            if len(data) != size:
                print(f"resnet50_async.py: skipping {path} (not {size} bytes)", file=sys.stderr)
                continue
            imgs.append(np.frombuffer(data, np.float16 if fp16 else np.float32).copy())
    if not imgs:
        imgs = synthetic_images(size, fp16)
        print(f"resnet50_async.py: no input files in {folder}, using {len(imgs)} synthetic images", file=sys.stderr)
    return imgs


class Sample:
    def __init__(self, model, pool_size):
        check("acl.init", acl.init())
        check("acl.rt.set_device", acl.rt.set_device(0))
        self.context, ret = acl.rt.create_context(0)
        check("acl.rt.create_context", ret)
        self.stream, ret = acl.rt.create_stream()
        check("acl.rt.create_stream", ret)
        work, weight, ret = acl.mdl.query_size(model)
        check("acl.mdl.query_size", ret)
        self.work, ret = acl.rt.malloc(max(work, 64), ACL_MEM_MALLOC_HUGE_FIRST)
        check("acl.rt.malloc", ret)
        self.weight, ret = acl.rt.malloc(max(weight, 64), ACL_MEM_MALLOC_HUGE_FIRST)
        check("acl.rt.malloc", ret)
        self.model_id, ret = acl.mdl.load_from_file_with_mem(model, self.work, max(work, 64), self.weight,
                                                             max(weight, 64))
        check("acl.mdl.load_from_file_with_mem", ret)
        self.desc = acl.mdl.create_desc()
        check("acl.mdl.get_desc", acl.mdl.get_desc(self.desc, self.model_id))
        self.in_size = acl.mdl.get_input_size_by_index(self.desc, 0)
        self.out_size = acl.mdl.get_output_size_by_index(self.desc, 0)
        self.fp16 = acl.mdl.get_input_data_type(self.desc, 0) == ACL_FLOAT16
        # dataset pairs: (input dataset, output dataset, input dev, output dev)
        self.pairs, self.free = [], []
        for _ in range(pool_size):
            pair = []
            for size in (self.in_size, self.out_size):
                dev, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_HUGE_FIRST)
                check("acl.rt.malloc", ret)
                ds = acl.mdl.create_dataset()
                _, ret = acl.mdl.add_dataset_buffer(ds, acl.create_data_buffer(dev, size))
                check("acl.mdl.add_dataset_buffer", ret)
                pair += [ds, dev]
            self.pairs.append(pair)
            self.free.append(pair)
        self.free_cv = threading.Condition()
        self.host_out = np.empty(self.out_size // 4, np.float32)
        self.done = 0
        self.quiet = False
        self.stop = False

    def report_loop(self, _):
        acl.rt.set_context(self.context)
        while not self.stop:
            acl.rt.process_report(100)

    def callback(self, batch):
        first, pairs = batch
        for i, pair in enumerate(pairs):
            ret = acl.rt.memcpy(acl.util.numpy_to_ptr(self.host_out), self.out_size, pair[3], self.out_size,
                                ACL_MEMCPY_DEVICE_TO_HOST)
            check("acl.rt.memcpy", ret)
            if not self.quiet:
                logits = self.host_out
                top = np.argsort(-logits, kind="stable")[:5]
                print(f"image {first + i} top-5:" + "".join(f" [{c}] {logits[c]:.4f}" for c in top))
            with self.free_cv:
                self.free.append(pair)
                self.free_cv.notify()
            self.done += 1

    def run(self, images, execute_times, interval):
        tid, ret = acl.util.start_thread(self.report_loop, [])
        check("acl.util.start_thread", ret)
        check("acl.rt.subscribe_report", acl.rt.subscribe_report(tid, self.stream))
        t0 = time.time()
        batch = None
        for i in range(execute_times):
            with self.free_cv:
                if not self.free and batch:
                    # every pair is in flight: the batch being built releases
                    # its pairs only through its callback, so launch it first
                    check("acl.rt.launch_callback",
                          acl.rt.launch_callback(self.callback, batch, ACL_CALLBACK_BLOCK, self.stream))
                    batch = None
                while not self.free:
                    self.free_cv.wait()
                pair = self.free.pop()
            img = images[i % len(images)]
            check("acl.rt.memcpy_async", acl.rt.memcpy_async(pair[1], self.in_size, acl.util.numpy_to_ptr(img),
                                                              self.in_size, ACL_MEMCPY_HOST_TO_DEVICE, self.stream))
            check("acl.mdl.execute_async", acl.mdl.execute_async(self.model_id, pair[0], pair[2], self.stream))
            if batch is None:
                batch = (i, [])
            batch[1].append(pair)
            if len(batch[1]) == interval or i == execute_times - 1:
                check("acl.rt.launch_callback",
                      acl.rt.launch_callback(self.callback, batch, ACL_CALLBACK_BLOCK, self.stream))
                batch = None
        check("acl.rt.synchronize_stream", acl.rt.synchronize_stream(self.stream))
        secs = time.time() - t0
        check("acl.rt.unsubscribe_report", acl.rt.unsubscribe_report(tid, self.stream))
        self.stop = True
        check("acl.util.stop_thread", acl.util.stop_thread(tid))
        return secs

    def release(self):
        for pair in self.pairs:
            for ds, dev in ((pair[0], pair[1]), (pair[2], pair[3])):
                acl.destroy_data_buffer(acl.mdl.get_dataset_buffer(ds, 0))
                acl.mdl.destroy_dataset(ds)
                acl.rt.free(dev)
        acl.mdl.destroy_desc(self.desc)
        acl.mdl.unload(self.model_id)
        acl.rt.free(self.work)
        acl.rt.free(self.weight)
        acl.rt.destroy_stream(self.stream)
        acl.rt.destroy_context(self.context)
        acl.rt.reset_device(0)
        acl.finalize()


def main(argv):
    pos, model, folder, quiet = [], "../model/resnet50.om", "../data", False
    it = iter(argv)
    for a in it:
        if a == "--model":
            model = next(it)
        elif a == "--input":
            folder = next(it)
        elif a == "--quiet":
            quiet = True
        else:
            pos.append(int(a))
    execute_times, interval, pool_size = (pos + [100, 1, 100][len(pos):])[:3]
    if min(execute_times, interval, pool_size) < 1:
        sys.exit("resnet50_async.py: execute_times, callback_interval and pool_size must be positive")
    s = Sample(model, pool_size)
    s.quiet = quiet
    images = load_inputs(folder, s.in_size, s.fp16)
    secs = s.run(images, execute_times, interval)
    print(f"resnet50_async.py: {s.done} images in {secs:.3f} s, {s.done / secs:.2f} images/s "
          f"(callback interval {interval}, pool {pool_size})")
    ok = s.done == execute_times
    s.release()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

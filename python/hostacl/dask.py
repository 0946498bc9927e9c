"""hostacl on Dask-distributed: batch offline inference across worker processes.

    from distributed import Client
    from hostacl.dask import HostaclPlugin, run_partition
    client = Client("tcp://scheduler:8786")          # or a LocalCluster
    client.register_worker_plugin(HostaclPlugin("resnet50.onnx", depth=4))
    futures = client.map(run_partition, partitions)  # lists of input files
    for f in as_completed(futures): results = f.result()

HostaclPlugin prepares each worker process once: aclInit (compute threads as
given, or the process's share of the cores), the device, a context, the
model (precision mode optional) and a pipeline with `depth` executions in
flight per stream; teardown releases all of it. run_partition sets the
worker's context on its own thread, keeps up to depth * streams inputs in
flight through the pipeline (asynchronous executions, callbacks returning
the outputs) and returns one result per input, in input order:
    {"file", "top": [[class, score], ...] or "output": raw path, "latency_ms", "worker"}
or {"file", "error"} for an input that could not be run (wrong size,
unreadable), so nothing is lost. The driver writes results; a task retried
after a worker died is returned once.
"""
import json
import os
import tempfile
import threading
import time

import numpy as np

import acl

ACL_FLOAT16 = 1
HACL_MDL_PRECISION_MODE_PTR = 0x48410001
ACL_MDL_LOAD_TYPE_SIZET, ACL_MDL_PATH_PTR = 1, 2
ACL_MDL_LOAD_FROM_FILE = 1
ACL_ERROR_RT_QUEUE_FULL = 207014

_state = {}
_lock = threading.Lock()


class HostaclError(RuntimeError):
    pass


def _check(what, ret):
    if ret != 0:
        raise HostaclError(f"{what} failed: {ret}: {acl.get_recent_err_msg() or ''}".strip())


try:
    from distributed.diagnostics.plugin import WorkerPlugin as _Base
except ImportError:  # the module also works without distributed (one process)
    _Base = object


class HostaclPlugin(_Base):
    """Once per worker process: runtime, context, model, pipeline."""

    name = "hostacl"

    def __init__(self, model, precision=None, streams=1, depth=4, compute_threads=None, device=0, topk=5,
                 raw_dir=None):
        self.model, self.precision, self.streams, self.depth = model, precision, streams, depth
        self.compute_threads, self.device, self.topk, self.raw_dir = compute_threads, device, topk, raw_dir

    def setup(self, worker=None):
        with _lock:
            if _state:
                return
            cfg = {"hostacl": {}}
            if self.compute_threads:
                cfg["hostacl"]["compute_threads"] = int(self.compute_threads)
            fd, path = tempfile.mkstemp(prefix="hostacl-dask-", suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(cfg, f)
            try:
                ret = acl.init(path)
                if ret != 100002:  # ACL_ERROR_REPEAT_INITIALIZE: this process initialised already
                    _check("acl.init", ret)
            finally:
                os.unlink(path)
            _check("acl.rt.set_device", acl.rt.set_device(self.device))
            ctx, ret = acl.rt.create_context(self.device)
            _check("acl.rt.create_context", ret)
            handle = acl.mdl.create_config_handle()
            _check("load type", acl.mdl.set_config_opt(handle, ACL_MDL_LOAD_TYPE_SIZET, ACL_MDL_LOAD_FROM_FILE))
            _check("model path", acl.mdl.set_config_opt(handle, ACL_MDL_PATH_PTR, self.model))
            if self.precision:
                _check("precision mode", acl.mdl.set_config_opt(handle, HACL_MDL_PRECISION_MODE_PTR, self.precision))
            model_id, ret = acl.mdl.load_with_config(handle)
            acl.mdl.destroy_config_handle(handle)
            _check(f"loading {self.model}", ret)
            desc = acl.mdl.create_desc()
            _check("acl.mdl.get_desc", acl.mdl.get_desc(desc, model_id))
            pipe, ret = acl.hacl.pipeline_create(model_id, depth=self.depth, streams=self.streams)
            _check("acl.hacl.pipeline_create", ret)
            _state.update(ctx=ctx, model_id=model_id, desc=desc, pipe=pipe, topk=self.topk, raw_dir=self.raw_dir,
                          in_size=acl.mdl.get_input_size_by_index(desc, 0),
                          out_size=acl.mdl.get_output_size_by_index(desc, 0),
                          slots=self.depth * self.streams,
                          worker=getattr(worker, "address", None) or f"pid{os.getpid()}")

    def teardown(self, worker=None):
        with _lock:
            if not _state:
                return
            acl.rt.set_context(_state["ctx"])
            acl.hacl.pipeline_destroy(_state["pipe"])
            acl.mdl.destroy_desc(_state["desc"])
            acl.mdl.unload(_state["model_id"])
            acl.rt.destroy_context(_state["ctx"])
            acl.rt.reset_device(self.device)
            acl.finalize()
            _state.clear()


def _read(path, size):
    with open(path, "rb") as f:
        data = f.read(size + 1)
    if len(data) != size:
        raise HostaclError(f"{len(data) if len(data) <= size else 'more than ' + str(size)} bytes; "
                           f"the model's input takes {size}")
    return data


def _result(path, outputs, latency_ms):
    out = {"file": os.path.basename(path), "latency_ms": round(latency_ms, 3), "worker": _state["worker"]}
    raw = _state["raw_dir"]
    if raw:
        dest = os.path.join(raw, os.path.basename(path) + ".out")
        with open(dest, "wb") as f:
            f.write(outputs[0])
        out["output"] = dest
    else:
        logits = np.frombuffer(outputs[0], np.float32)
        k = min(_state["topk"], logits.size)
        top = np.argsort(-logits, kind="stable")[:k]
        out["top"] = [[int(c), round(float(logits[c]), 6)] for c in top]
    return out


def run_partition(paths, plugin=None):
    """Runs a list of input files; one result dict per input, in order.
    `plugin` prepares the process when no worker plugin did (one process)."""
    if not _state:
        if plugin is None:
            raise HostaclError("no hostacl worker plugin: register HostaclPlugin first")
        plugin.setup()
    acl.rt.set_context(_state["ctx"])  # this task's thread
    pipe, size = _state["pipe"], _state["in_size"]
    results = [None] * len(paths)
    inflight = []  # (index, request, submitted)

    def finish(entry):
        i, req, t0 = entry
        ret = acl.hacl.request_wait(req, -1)
        if ret == 0:
            outs, ret = acl.hacl.request_take_outputs(pipe, req)
        if ret == 0:
            results[i] = _result(paths[i], outs, (time.perf_counter() - t0) * 1e3)
        else:
            results[i] = {"file": os.path.basename(paths[i]), "error": f"execution failed: {ret}: "
                                                                        f"{acl.get_recent_err_msg() or ''}".strip()}
        acl.hacl.request_release(req)

    for i, path in enumerate(paths):
        try:
            data = _read(path, size)
        except (OSError, HostaclError) as e:
            results[i] = {"file": os.path.basename(path), "error": str(e)}
            continue
        while True:
            req, ret = acl.hacl.pipeline_submit(pipe, [data])
            if ret != ACL_ERROR_RT_QUEUE_FULL:
                break
            finish(inflight.pop(0))  # every slot busy: the oldest first
        if ret != 0:
            results[i] = {"file": os.path.basename(path), "error": f"submit failed: {ret}: "
                                                                  f"{acl.get_recent_err_msg() or ''}".strip()}
            continue
        inflight.append((i, req, time.perf_counter()))
        if len(inflight) >= _state["slots"]:
            finish(inflight.pop(0))
    while inflight:
        finish(inflight.pop(0))
    return results

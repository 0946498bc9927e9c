#!/usr/bin/python3
"""bench_python: what the Python binding costs, printed as JSON.

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_python.py [--quick]
        [--build build] [--rounds R] [--images N]

- ResNet-50 through samples/python/resnet50_async.py (execute_async and a
  BLOCK callback every 4 executions, pyACL style) against the C sample
  samples/resnet50_async on the same generated model and synthetic inputs,
  alternating, R rounds: median images/s of each and their ratio.
- Callback round trips through Python on one stream with a report thread
  from acl.util.start_thread: NO_BLOCK launch -> the callback sets an event
  the main thread waits on; BLOCK launch -> synchronize_stream returns after
  the callback ran. p50/p99 over many samples, beside the C runtime's own
  launch -> callback figure from bench_runtime --quick in the same run.
"""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def images_per_s(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"([0-9.]+) images/s", out).group(1))


def callback_round_trips(n):
    import acl

    assert acl.init() == 0 and acl.rt.set_device(0) == 0
    ctx, _ = acl.rt.get_context()
    stream, _ = acl.rt.create_stream()
    state = {"stop": False}

    def loop(_):
        acl.rt.set_context(ctx)
        while not state["stop"]:
            acl.rt.process_report(20)

    tid, _ = acl.util.start_thread(loop, None)
    assert acl.rt.subscribe_report(tid, stream) == 0
    ev = threading.Event()
    seen = [0.0]

    def cb(_):
        seen[0] = time.perf_counter()
        ev.set()

    res = {}
    # launch -> the Python callback starts (as bench_runtime's C figure);
    # launch -> synchronize_stream returns after a BLOCK callback ran
    for kind, block in (("no_block_launch_to_python_callback", 0), ("block_launch_to_synchronize_return", 1)):
        v = []
        for i in range(n + 100):
            ev.clear()
            t0 = time.perf_counter()
            assert acl.rt.launch_callback(cb, None, block, stream) == 0
            if block:
                assert acl.rt.synchronize_stream(stream) == 0
                t1 = time.perf_counter()
            else:
                ev.wait()
                t1 = seen[0]
            if i >= 100:
                v.append((t1 - t0) * 1e6)
        v.sort()
        res[kind] = {"samples": n, "p50_us": round(v[len(v) // 2], 2), "p99_us": round(v[int(len(v) * 0.99)], 2)}
    acl.rt.unsubscribe_report(tid, stream)
    state["stop"] = True
    acl.util.stop_thread(tid)
    acl.rt.destroy_stream(stream)
    acl.rt.reset_device(0)
    acl.finalize()
    return res


def main(argv):
    quick = "--quick" in argv
    build = argv[argv.index("--build") + 1] if "--build" in argv else "build"
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else (1 if quick else 3)
    images = int(argv[argv.index("--images") + 1]) if "--images" in argv else (16 if quick else 200)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    model = os.path.join(tempfile.mkdtemp(prefix="hostacl-bench-"), "model.om")
    kind = "tiny" if quick else "resnet50"
    subprocess.run([os.path.join(build, "tools", "hacl-modelgen"), kind, "--fp16-input", "-o", model], check=True,
                   stderr=subprocess.DEVNULL)
    args = [str(images), "4", "8", "--model", model, "--input", "/none", "--quiet"]
    c_cmd = [os.path.join(build, "samples", "resnet50_async")] + args
    py_cmd = [sys.executable, os.path.join(root, "samples", "python", "resnet50_async.py")] + args
    c_rates, py_rates = [], []
    for r in range(rounds):
        order = [(c_cmd, c_rates), (py_cmd, py_rates)]
        if r % 2:
            order.reverse()
        for cmd, rates in order:
            rates.append(images_per_s(cmd))
    c_med, py_med = statistics.median(c_rates), statistics.median(py_rates)
    rt = json.loads(subprocess.run([os.path.join(build, "bench", "bench_runtime"), "--quick"], capture_output=True,
                                   text=True, check=True).stdout)
    trips = callback_round_trips(500 if quick else 5000)
    print(json.dumps({
        "benchmark": "bench_python",
        "cpu": cpu(),
        "cores": os.cpu_count(),
        "model": kind,
        "images_per_round": images,
        "rounds": rounds,
        "c_sample_images_per_s": {"median": c_med, "runs": c_rates},
        "python_sample_images_per_s": {"median": py_med, "runs": py_rates},
        "python_over_c": round(py_med / c_med, 3),
        "python_callback_round_trip": trips,
        "c_launch_to_callback_us": rt["callback_latency_us"]["hot"],
        "quick": quick,
    }, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])

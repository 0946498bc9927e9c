#!/usr/bin/python3
"""bench_trace.py --current BENCH_RUNTIME [--base BENCH_RUNTIME] [--rounds N]

What the timeline recorder costs, printed as JSON:
  - off: bench_runtime (--quick: empty tasks, callbacks, callback latency,
    event hand-off) of this build with tracing compiled in and off, against
    a build from before the recorder (--base), in alternating rounds;
  - on: NO_BLOCK and BLOCK callbacks through one stream with
    HOSTACL_TRACE set, against the same binary without, alternating; and
    how fast the trace is written at the end.
Medians of the rounds, and ratios. Standard library only."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def run(binary, only, env_extra=None):
    env = dict(os.environ, ASCEND_GLOBAL_LOG_LEVEL="3")
    env.update(env_extra or {})
    args = [binary, "--quick"] + (["--only", only] if only else [])
    t0 = time.monotonic()
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out), time.monotonic() - t0


def metrics(doc):
    m = {}
    for t in doc.get("empty_tasks", []):
        m[f"tasks_{t['streams']}_streams_per_s"] = t["completed_per_s"]
    cb = doc.get("callbacks_one_stream", {})
    for kind in ("no_block", "block"):
        if kind in cb:
            m[f"callbacks_{kind}_per_s"] = cb[kind]["delivered_per_s"]
    lat = doc.get("callback_latency_us", {})
    if "hot" in lat:
        m["callback_latency_hot_p50_us"] = lat["hot"]["p50"]
    if "event_handoff_us" in doc:
        m["event_handoff_p50_us"] = doc["event_handoff_us"]["p50"]
    return m


def medians(rows):
    keys = rows[0].keys()
    return {k: statistics.median(r[k] for r in rows) for k in keys}


def main(argv):
    opts = {"--current": None, "--base": None, "--rounds": "5"}
    i = 1
    while i < len(argv):
        if argv[i] in opts and i + 1 < len(argv):
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    if not opts["--current"]:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rounds = int(opts["--rounds"])
    result = {"benchmark": "bench_trace", "cpu": cpu(), "cores": os.cpu_count(), "rounds": rounds}
    if opts["--base"]:
        base, cur = [], []
        for _ in range(rounds):  # the whole --quick run of each (the base knows no --only)
            base.append(metrics(run(opts["--base"], None)[0]))
            cur.append(metrics(run(opts["--current"], None)[0]))
        mb, mc = medians(base), medians(cur)
        result["off"] = {"base": mb, "current": mc,
                         "current_over_base": {k: round(mc[k] / mb[k], 3) for k in mc if k in mb and mb[k]}}
    with tempfile.TemporaryDirectory() as d:
        off, on, write_s, size = [], [], [], []
        for r in range(rounds):
            off.append(metrics(run(opts["--current"], "callbacks")[0]))
            path = os.path.join(d, f"t{r}.json")
            doc, wall = run(opts["--current"], "callbacks", {"HOSTACL_TRACE": path})
            on.append(metrics(doc))
            size.append(os.path.getsize(path))
            write_s.append(wall)
            os.unlink(path)
        mo, mn = medians(off), medians(on)
        result["on"] = {"off": mo, "traced": mn,
                        "traced_over_off": {k: round(mn[k] / mo[k], 3) for k in mn if mo.get(k)},
                        "trace_bytes": int(statistics.median(size)),
                        "traced_process_seconds": round(statistics.median(write_s), 3)}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

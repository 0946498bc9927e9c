#!/usr/bin/python3
"""One round of bench/zoo for one model: every runtime (hostacl, its extra
variants, a base build, ONNX Runtime) loaded in its own process, one after
another, and then measured in turns, slice by slice.

A slice is about SLICE_S seconds of executions of one runtime (at least
one execution, after one untimed one); the runtimes take turns, the order
reversed every cycle, for SLICES cycles. Slices of different runtimes are
then tenths of a second apart, so the ratio of two runtimes' images/s in one
cycle compares them at the same moment of a shared machine, whose slow
phases come and go within seconds (measured: the same model 0.7-1.45x
ONNX Runtime from one whole measurement to the next). bench/zoo_report.py
takes the median of those per-cycle ratios.

  zoo_slices.py NAME MODEL OUT.jsonl RUNNER...
  RUNNER: rt|variant|command line (split on spaces; the first word may be
  KEY=VALUE settings for its environment)

Appends one JSON line per runtime: the fields of bench_model's own line
plus "slices", the images/s of each slice in cycle order."""
import json
import os
import subprocess
import sys
import time

SLICES = int(os.environ.get("SLICES", "8"))
SLICE_S = float(os.environ.get("SLICE_S", "0.25"))
GAP_S = float(os.environ.get("GAP_S", "0.05"))  # a pause between turns: the last runner's spinning threads go to sleep


def start(cmd):
    words = cmd.split()
    env = dict(os.environ)
    while words and "=" in words[0] and not words[0].startswith("/"):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    p = subprocess.Popen(words, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, env=env, bufsize=1)
    ready = read(p)
    return p, ready


def read(p):
    line = p.stdout.readline()
    if not line:
        raise RuntimeError("runner ended early")
    return json.loads(line)


def ask(p, n):
    p.stdin.write(f"{n}\n")
    p.stdin.flush()
    return read(p)


def main():
    name, model, out = sys.argv[1:4]
    runners = []
    for spec in sys.argv[4:]:
        rt, variant, cmd = spec.split("|", 2)
        runners.append({"rt": rt, "variant": variant, "cmd": cmd})
    live = []
    for r in runners:  # loaded one at a time: load times are not shared
        try:
            r["proc"], r["ready"] = start(r["cmd"])
            r["n"], r["slices"], r["lat"], r["execs"], r["secs"] = 1, [], [], 0, 0.0
            live.append(r)
        except (RuntimeError, ValueError, OSError) as e:
            print(f"zoo_slices: {name} {r['rt']} {r['variant']}: {e}", file=sys.stderr)
    for cycle in range(SLICES + 1):
        order = live if cycle % 2 == 0 else live[::-1]
        for r in order:
            time.sleep(GAP_S)
            res = ask(r["proc"], r["n"])
            per_exec = res["s"] / res["n"]
            if cycle > 0:  # cycle 0 only sizes the slices
                r["slices"].append(res["n"] * r["ready"]["batch"] / res["s"])
                r["lat"] += res["lat_ms"]
                r["execs"] += res["n"]
                r["secs"] += res["s"]
            r["n"] = max(1, min(5000, round(SLICE_S / per_exec))) if per_exec > 0 else 1
    with open(out, "a") as f:
        for r in live:
            r["proc"].stdin.write("q\n")
            r["proc"].stdin.flush()
            rss = read(r["proc"]).get("peak_rss_mb", 0)
            r["proc"].wait()
            lat = sorted(r["lat"])
            n = len(lat)
            rec = {"name": name, "variant": r["variant"], "rt": r["rt"], "model": model, "batch": r["ready"]["batch"],
                   "streams": 1, "executions": r["execs"], "load_s": r["ready"]["load_s"],
                   "images_per_s": round(r["execs"] * r["ready"]["batch"] / r["secs"], 2),
                   "latency_ms": {"p50": lat[n // 2], "p99": lat[round(0.99 * (n - 1))]}, "peak_rss_mb": rss,
                   "slices": [round(x, 3) for x in r["slices"]]}
            f.write(json.dumps(rec) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

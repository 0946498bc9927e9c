#!/usr/bin/python3
"""Turns bench/zoo's JSON lines into a Markdown table (medians per model,
runtime and variant; hostacl/ORT images/s ratios and their geometric mean)
and one JSON summary line.

A ratio is the median over rounds of each round's own ratio, and a round's
ratio the median over its turns (bench/zoo_slices.py: "slices", runtimes
measured a fraction of a second apart) of each turn's ratio: a shared
machine's slow phases come and go within seconds, so whole measurements
taken one after the other disagreed by up to 2x (inception_v3 0.69-1.45x
ORT in one run). Records of one model, runtime and variant are in round
order; records without slices compare whole rounds."""
import json
import math
import statistics
import sys

rows = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    key = (r["name"], r["rt"], r.get("variant", ""))
    rows.setdefault(key, []).append(r)


def med(rs, f):
    return statistics.median(f(r) for r in rs)


def round_ratio(x, y):
    xs, ys = x.get("slices"), y.get("slices")
    if xs and ys and len(xs) == len(ys):
        return statistics.median(p / q for p, q in zip(xs, ys) if q)
    return x["images_per_s"] / y["images_per_s"]


def paired(a, b):
    """The median over rounds of a's images/s over b's, round by round."""
    return statistics.median(round_ratio(x, y) for x, y in zip(a, b) if y["images_per_s"])


names = list(dict.fromkeys(k[0] for k in rows))
variants = list(dict.fromkeys(k[2] for k in rows if k[1] == "hostacl"))
has_base = any(k[1] == "base" for k in rows)
print("| model | variant | hostacl img/s | ORT img/s | ratio |" + (" before img/s | after / before |" if has_base else "") +
      " hostacl p50 / p99 ms | ORT p50 / p99 ms | load s hostacl / ORT | peak RSS MB hostacl / ORT |")
print("|---|---|---|---|---|" + ("---|---|" if has_base else "") + "---|---|---|---|")
summary = {}
base_ratios = []
for v in variants:
    ratios = []
    for n in names:
        h, o = rows.get((n, "hostacl", v)), rows.get((n, "ort", ""))
        if not h or not o:
            continue
        hi, oi = med(h, lambda r: r["images_per_s"]), med(o, lambda r: r["images_per_s"])
        ratio = paired(h, o)
        ratios.append(ratio)
        b = rows.get((n, "base", "")) if has_base and not v else None
        bi = med(b, lambda r: r["images_per_s"]) if b else None
        bratio = paired(h, b) if b else None
        base_cols = (f" {bi:.1f} | {bratio:.2f}x |" if bi else " | |") if has_base else ""
        if bi:
            base_ratios.append(bratio)
        print(f"| {n} | {v or 'fp32'} | {hi:.1f} | {oi:.1f} | {ratio:.2f}x |{base_cols} "
              f"{med(h, lambda r: r['latency_ms']['p50']):.1f} / {med(h, lambda r: r['latency_ms']['p99']):.1f} | "
              f"{med(o, lambda r: r['latency_ms']['p50']):.1f} / {med(o, lambda r: r['latency_ms']['p99']):.1f} | "
              f"{med(h, lambda r: r['load_s']):.2f} / {med(o, lambda r: r['load_s']):.2f} | "
              f"{med(h, lambda r: r['peak_rss_mb']):.0f} / {med(o, lambda r: r['peak_rss_mb']):.0f} |")
    if ratios:
        gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        summary[v or "fp32"] = {"models": len(ratios), "geomean_ratio": round(gm, 3), "min_ratio": round(min(ratios), 3)}
if base_ratios:
    summary["after_vs_before"] = {"models": len(base_ratios),
                                  "geomean_ratio": round(math.exp(sum(map(math.log, base_ratios)) / len(base_ratios)), 3),
                                  "min_ratio": round(min(base_ratios), 3)}
for v, s in summary.items():
    what = "this build / BASE_BUILD" if v == "after_vs_before" else "hostacl / ONNX Runtime"
    print(f"\n{v}: geometric mean {what} {s['geomean_ratio']:.2f}x over {s['models']} models "
          f"(lowest {s['min_ratio']:.2f}x)")
print(json.dumps({"summary": summary}))

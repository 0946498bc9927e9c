# hostacl on Dask (hostacl.dask, tools/hacl-batch): the same results as one
# process, nothing lost or doubled when a worker dies, resume, bad inputs.
# Loopback only; every run is bounded in time.
import json
import os
import signal
import subprocess
import sys
import time

import pytest

distributed = pytest.importorskip("distributed")

from hostacl.dask import HostaclPlugin, run_partition  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BATCH = os.path.join(ROOT, "tools", "hacl-batch")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    gen, img2bin = os.environ.get("HACL_MODELGEN"), os.environ.get("HACL_IMG2BIN")
    if not gen or not img2bin:
        pytest.skip("HACL_MODELGEN / HACL_IMG2BIN not set")
    d = tmp_path_factory.mktemp("batch")
    model = str(d / "tiny.om")
    subprocess.run([gen, "tiny", "-o", model], check=True, stderr=subprocess.DEVNULL)
    subprocess.run([img2bin, "--synthetic", "64", "--fp32", "--size", "32", "-o", str(d / "in")], check=True,
                   capture_output=True)
    return model, str(d / "in")


def batch(*args, timeout=180):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run([sys.executable, BATCH] + list(args), capture_output=True, text=True, timeout=timeout,
                          env=env)


def lines(path):
    return [json.loads(l) for l in open(path)] if os.path.exists(path) else []


def tops(path):
    return {r["file"]: r["top"] for r in lines(path)}


def test_local_cluster_gives_the_single_process_results(inputs, tmp_path):
    model, folder = inputs
    one = batch("--model", model, "--input", folder, "--output", str(tmp_path / "one.jsonl"), "--local", "0")
    assert one.returncode == 0, one.stderr
    two = batch("--model", model, "--input", folder, "--output", str(tmp_path / "two.jsonl"), "--local", "2",
                "--partition", "8")
    assert two.returncode == 0, two.stderr
    a, b = tops(tmp_path / "one.jsonl"), tops(tmp_path / "two.jsonl")
    assert len(a) == 64 and a == b
    summary = json.loads(two.stdout.strip().splitlines()[-1])
    assert summary["ok"] == 64 and len(summary["per_worker"]) == 2


def test_a_killed_worker_loses_and_doubles_nothing(inputs):
    model, folder = inputs
    paths = sorted(os.path.join(folder, n) for n in os.listdir(folder))
    parts = [[p] for p in paths]  # 64 tasks
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        client.register_worker_plugin(HostaclPlugin(model, compute_threads=1))
        slow = lambda ps: (time.sleep(0.05), run_partition(ps))[1]  # noqa: E731
        futures = client.map(slow, parts, pure=False)
        seen, killed = [], False
        for fut in distributed.as_completed(futures):
            seen.extend(r["file"] for r in fut.result())
            if len(seen) == 8 and not killed:
                pids = client.run(os.getpid)
                os.kill(next(iter(pids.values())), signal.SIGKILL)
                killed = True
        assert killed
        assert sorted(seen) == sorted(os.path.basename(p) for p in paths)  # each exactly once
    finally:
        client.close()
        cluster.close()


def test_resume_after_an_interrupted_run(inputs, tmp_path):
    model, folder = inputs
    out = str(tmp_path / "out.jsonl")
    full = batch("--model", model, "--input", folder, "--output", out, "--local", "0")
    assert full.returncode == 0
    done = open(out).read().splitlines()
    # an interrupted run: 20 lines written, the 21st cut short
    with open(out, "w") as f:
        f.write("\n".join(done[:20]) + "\n" + done[20][:17])
    again = batch("--model", model, "--input", folder, "--output", out, "--local", "0", "--resume")
    assert again.returncode == 0, again.stderr
    names = [r["file"] for r in lines(out)]
    assert sorted(names) == sorted(set(names)) and len(names) == 64
    assert json.loads(again.stdout.strip().splitlines()[-1])["skipped"] == 20


def test_bad_inputs_end_in_the_errors_file(inputs, tmp_path):
    model, folder = inputs
    bad = tmp_path / "bad"
    bad.mkdir()
    for n in sorted(os.listdir(folder))[:3]:
        os.link(os.path.join(folder, n), bad / n)
    (bad / "short.bin").write_bytes(b"\0" * 10)
    os.symlink(str(tmp_path / "nowhere.bin"), bad / "dangling.bin")
    out = str(tmp_path / "out.jsonl")
    r = batch("--model", model, "--input", str(bad), "--output", out, "--local", "0")
    assert r.returncode == 1  # some inputs failed
    errors = {e["file"]: e["error"] for e in lines(out + ".errors")}
    assert set(errors) == {"short.bin", "dangling.bin"}
    assert "bytes" in errors["short.bin"] and "No such file" in errors["dangling.bin"]
    assert len(lines(out)) == 3
    # a model that does not load: a clear message, no hang
    (tmp_path / "broken.om").write_bytes(b"not a model")
    r = batch("--model", str(tmp_path / "broken.om"), "--input", str(bad), "--output", out, "--local", "0", timeout=60)
    assert r.returncode != 0 and "cannot load" in r.stderr


def test_images_are_converted_as_img2bin_does(inputs, tmp_path):
    model, _ = inputs
    img2bin = os.environ["HACL_IMG2BIN"]
    pics = tmp_path / "pics"
    pics.mkdir()
    for k in range(3):  # small PPM images (always supported)
        w, h = 40 + k, 36
        body = bytes((x * 7 + y * 3 + k * 50) % 256 for y in range(h) for x in range(w) for _ in range(3))
        (pics / f"img{k}.ppm").write_bytes(b"P6\n%d %d\n255\n" % (w, h) + body)
    out = str(tmp_path / "out.jsonl")
    r = batch("--model", model, "--input", str(pics), "--output", out, "--local", "0", "--img2bin", img2bin)
    assert r.returncode == 0, r.stderr
    got = tops(out)
    assert sorted(got) == ["img0.ppm", "img1.ppm", "img2.ppm"]
    # the same as converting by hand and running the tensors
    subprocess.run([img2bin, "-o", str(tmp_path / "t"), "--size", "32", "--fp32"] + sorted(str(p) for p in pics.iterdir()),
                   check=True, capture_output=True)
    r = batch("--model", model, "--input", str(tmp_path / "t"), "--output", str(tmp_path / "t.jsonl"), "--local", "0")
    assert r.returncode == 0
    by_hand = tops(tmp_path / "t.jsonl")
    assert [by_hand[n] for n in sorted(by_hand)] == [got[n] for n in sorted(got)]


def test_a_scheduler_address_gives_the_same_results(inputs, tmp_path):
    model, folder = inputs
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        r = batch("--model", model, "--input", folder, "--output", str(tmp_path / "s.jsonl"), "--scheduler",
                  cluster.scheduler_address, "--partition", "5")
        assert r.returncode == 0, r.stderr
        one = batch("--model", model, "--input", folder, "--output", str(tmp_path / "one.jsonl"), "--local", "0")
        assert one.returncode == 0
        assert tops(tmp_path / "s.jsonl") == tops(tmp_path / "one.jsonl")
    finally:
        cluster.close()

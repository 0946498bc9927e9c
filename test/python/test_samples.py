# samples/python/resnet50_async.py prints the same top-5 as the C sample on
# the same model and inputs (float32 and float16 input models, pools smaller
# than the callback interval).
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY_SAMPLE = os.path.join(ROOT, "samples", "python", "resnet50_async.py")


def top5(text):
    return [line for line in text.splitlines() if " top-5:" in line]


@pytest.mark.parametrize("fp16,args", [(False, ["12", "3", "4"]), (True, ["9", "4", "2"]), (False, ["5", "1", "1"])])
def test_python_sample_matches_the_c_sample(tmp_path, fp16, args):
    c_sample, gen = os.environ.get("HACL_SAMPLE_C"), os.environ.get("HACL_MODELGEN")
    if not c_sample or not gen:
        pytest.skip("HACL_SAMPLE_C / HACL_MODELGEN not set")
    model = str(tmp_path / "tiny.om")
    subprocess.run([gen, "tiny", "-o", model] + (["--fp16-input"] if fp16 else []), check=True,
                   stderr=subprocess.DEVNULL)
    common = args + ["--model", model, "--input", str(tmp_path / "none")]
    c = subprocess.run([c_sample] + common, capture_output=True, text=True, timeout=120)
    p = subprocess.run([sys.executable, PY_SAMPLE] + common, capture_output=True, text=True, timeout=120)
    assert c.returncode == 0, c.stderr
    assert p.returncode == 0, p.stderr
    assert len(top5(c.stdout)) == int(args[0])
    assert top5(p.stdout) == top5(c.stdout)


def test_pipeline_sample_delivers_every_frame_deterministically(tmp_path):
    gen = os.environ.get("HACL_MODELGEN")
    if not gen:
        pytest.skip("HACL_MODELGEN not set")
    model = str(tmp_path / "tiny.om")
    subprocess.run([gen, "tiny", "-o", model], check=True, stderr=subprocess.DEVNULL)
    sample = os.path.join(ROOT, "samples", "python", "pipeline_frames.py")
    runs = [subprocess.run([sys.executable, sample, model, "--frames", "12", "--streams", "3", "--depth", d],
                           capture_output=True, text=True, timeout=120) for d in ("1", "4")]
    for r in runs:
        assert r.returncode == 0, r.stderr
        assert r.stdout.count("12 frames, output crc") == 3
    # the same frames give the same outputs whatever the depth
    assert [l for l in runs[0].stdout.splitlines() if l.startswith("stream")] == \
        [l for l in runs[1].stdout.splitlines() if l.startswith("stream")]

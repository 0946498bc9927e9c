#!/usr/bin/python3
"""Exports real architectures to ONNX for hostacl's zoo test and benchmark.

Each model is built by torchvision (or torch.nn for the text encoder) with
random weights (weights=None, torch.manual_seed(0)), in eval mode, and
exported by torch.onnx.export. Next to NAME.onnx the script writes
NAME.input.bin (the input the comparison feeds, little-endian, row-major)
and NAME.json (input name, shape and element type).

    /usr/bin/python3 tools/zoo/export.py OUTDIR [NAME ...]

With no NAME, every model of ZOO is exported. Existing files are kept
(delete them to export again). Needs python3-torch, python3-torchvision
and python3-onnx (scripts/install-zoo-deps.sh); nothing is downloaded.
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision

# Bumped whenever what an export produces changes: older files are redone.
EXPORT_VERSION = 2

# name -> (constructor, input shape, opset). Shapes are batch 1; video
# models take N x C x T x H x W.
IMAGE = (1, 3, 224, 224)


def tv(fn, **kw):
    return lambda: getattr(torchvision.models, fn)(weights=None, **kw)


def seg(fn, **kw):
    return lambda: getattr(torchvision.models.segmentation, fn)(weights=None, weights_backbone=None, **kw)


def video(fn):
    return lambda: getattr(torchvision.models.video, fn)(weights=None)


class TextEncoder(torch.nn.Module):
    """A BERT-style encoder: token and position embeddings, LayerNorm,
    torch.nn.TransformerEncoder (GELU, 4 layers), a pooled classifier."""

    def __init__(self, vocab=1000, seq=64, d=256, heads=4, layers=4, classes=10):
        super().__init__()
        self.tok = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Parameter(torch.randn(1, seq, d) * 0.02)
        self.norm = torch.nn.LayerNorm(d)
        layer = torch.nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, activation="gelu", batch_first=True)
        self.enc = torch.nn.TransformerEncoder(layer, layers)
        self.head = torch.nn.Linear(d, classes)

    def forward(self, ids):
        x = self.norm(self.tok(ids) + self.pos)
        x = self.enc(x)
        return self.head(x.mean(dim=1))


class AudioNet(torch.nn.Module):
    """A small 1-D network of the keyword-spotting kind: Conv1d,
    BatchNorm1d, ReLU, MaxPool1d, a dilated and a grouped Conv1d, global
    average pooling and a classifier."""

    def __init__(self, classes=12):
        super().__init__()
        c = torch.nn
        self.f = c.Sequential(c.Conv1d(1, 32, 80, stride=4), c.BatchNorm1d(32), c.ReLU(), c.MaxPool1d(4),
                              c.Conv1d(32, 64, 3, padding=2, dilation=2), c.BatchNorm1d(64), c.ReLU(),
                              c.Conv1d(64, 64, 3, padding=1, groups=8), c.BatchNorm1d(64), c.GELU(), c.MaxPool1d(4),
                              c.AdaptiveAvgPool1d(1))
        self.head = c.Linear(64, classes)

    def forward(self, x):
        return self.head(torch.flatten(self.f(x), 1))


class VideoNet(torch.nn.Module):
    """A small 3-D network: Conv3d (full, spatial-only and temporal-only),
    BatchNorm3d, MaxPool3d, AvgPool3d and a classifier."""

    def __init__(self, classes=10):
        super().__init__()
        c = torch.nn
        self.f = c.Sequential(c.Conv3d(3, 16, (3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3)), c.BatchNorm3d(16),
                              c.ReLU(), c.MaxPool3d((1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)),
                              c.Conv3d(16, 32, (1, 3, 3), padding=(0, 1, 1)), c.BatchNorm3d(32), c.ReLU(),
                              c.Conv3d(32, 32, (3, 1, 1), padding=(1, 0, 0)), c.BatchNorm3d(32), c.ReLU(),
                              c.AvgPool3d((2, 2, 2)), c.AdaptiveAvgPool3d(1))
        self.head = c.Linear(32, classes)

    def forward(self, x):
        return self.head(torch.flatten(self.f(x), 1))


class RecurrentNet(torch.nn.Module):
    """A speech-style recurrent model: a 2-layer bidirectional LSTM, a GRU
    and a vanilla RNN over 50 frames of 40 features, batch first."""

    def __init__(self, classes=20):
        super().__init__()
        c = torch.nn
        self.lstm = c.LSTM(40, 64, num_layers=2, bidirectional=True, batch_first=True)
        self.gru = c.GRU(128, 48, batch_first=True)
        self.rnn = c.RNN(48, 32, nonlinearity="relu", batch_first=True)
        self.head = c.Linear(32, classes)

    def forward(self, x):
        y, _ = self.lstm(x)
        y, _ = self.gru(y)
        y, h = self.rnn(y)
        return self.head(y[:, -1] + h[0])


ZOO = {
    "alexnet": (tv("alexnet"), IMAGE, 13),
    "convnext_tiny": (tv("convnext_tiny"), IMAGE, 13),
    "densenet121": (tv("densenet121"), IMAGE, 13),
    "efficientnet_b0": (tv("efficientnet_b0"), IMAGE, 13),
    "efficientnet_v2_s": (tv("efficientnet_v2_s"), IMAGE, 13),
    "googlenet": (tv("googlenet", aux_logits=False, init_weights=True), IMAGE, 13),
    "inception_v3": (tv("inception_v3", aux_logits=False, init_weights=True), (1, 3, 299, 299), 13),
    "maxvit_t": (tv("maxvit_t"), IMAGE, 14),
    "mnasnet1_0": (tv("mnasnet1_0"), IMAGE, 13),
    "mobilenet_v2": (tv("mobilenet_v2"), IMAGE, 13),
    "mobilenet_v3_large": (tv("mobilenet_v3_large"), IMAGE, 13),
    "mobilenet_v3_small": (tv("mobilenet_v3_small"), IMAGE, 13),
    "regnet_x_400mf": (tv("regnet_x_400mf"), IMAGE, 13),
    "regnet_y_400mf": (tv("regnet_y_400mf"), IMAGE, 13),
    "resnet18": (tv("resnet18"), IMAGE, 13),
    "resnet50": (tv("resnet50"), IMAGE, 13),
    "resnext50_32x4d": (tv("resnext50_32x4d"), IMAGE, 13),
    "shufflenet_v2_x1_0": (tv("shufflenet_v2_x1_0"), IMAGE, 13),
    "squeezenet1_1": (tv("squeezenet1_1"), IMAGE, 13),
    "swin_t": (tv("swin_t"), IMAGE, 14),
    "vgg11_bn": (tv("vgg11_bn"), IMAGE, 13),
    "vit_b_16": (tv("vit_b_16"), IMAGE, 14),
    "wide_resnet50_2": (tv("wide_resnet50_2"), IMAGE, 13),
    "text_encoder": (TextEncoder, (1, 64), 14),
    # Beyond the list: segmentation, video and other variants.
    "lraspp_mobilenet_v3_large": (seg("lraspp_mobilenet_v3_large"), IMAGE, 13),
    "deeplabv3_mobilenet_v3_large": (seg("deeplabv3_mobilenet_v3_large", aux_loss=False), IMAGE, 13),
    "fcn_resnet50": (seg("fcn_resnet50", aux_loss=False), IMAGE, 13),
    "r3d_18": (video("r3d_18"), (1, 3, 8, 112, 112), 13),
    "mc3_18": (video("mc3_18"), (1, 3, 8, 112, 112), 13),
    "r2plus1d_18": (video("r2plus1d_18"), (1, 3, 8, 112, 112), 13),
    "s3d": (video("s3d"), (1, 3, 16, 224, 224), 13),
    "squeezenet1_0": (tv("squeezenet1_0"), IMAGE, 13),
    "shufflenet_v2_x0_5": (tv("shufflenet_v2_x0_5"), IMAGE, 13),
    "mnasnet0_5": (tv("mnasnet0_5"), IMAGE, 13),
    "regnet_y_800mf": (tv("regnet_y_800mf"), IMAGE, 13),
    "efficientnet_b1": (tv("efficientnet_b1"), (1, 3, 240, 240), 13),
    "densenet161": (tv("densenet161"), IMAGE, 13),
    "audio_net": (AudioNet, (1, 1, 16000), 13),
    "video_net": (VideoNet, (1, 3, 8, 64, 64), 13),
    "rnn_net": (RecurrentNet, (2, 50, 40), 13),
}


class FirstOutput(torch.nn.Module):
    """Segmentation models return a dict; the zoo compares its 'out'."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        y = self.m(x)
        return y["out"] if isinstance(y, dict) else y


def calibrate(model, shape, name):
    """Gives BatchNorm layers the statistics of real activations (one
    training-mode pass over two random inputs), so random weights produce
    outputs of a sensible scale instead of vanishing into the biases."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms or name == "text_encoder":
        return
    for m in norms:
        m.momentum = None  # a plain average over the calibration pass
        m.reset_running_stats()
    model.train()
    with torch.no_grad():
        model(torch.randn((2,) + tuple(shape[1:])))
    model.eval()


def export(name, outdir):
    make, shape, opset = ZOO[name]
    path = os.path.join(outdir, name + ".onnx")
    f64 = os.path.join(outdir, name + ".f64.bin")
    meta = os.path.join(outdir, name + ".json")
    try:
        with open(meta) as f:
            current = json.load(f).get("export_version") == EXPORT_VERSION
    except (OSError, ValueError):
        current = False
    if current and os.path.exists(path) and os.path.exists(f64):
        return
    for stale in (path, f64, meta, os.path.join(outdir, name + ".ort.bin")):
        if not current and os.path.exists(stale):
            os.remove(stale)
    torch.manual_seed(0)
    model = FirstOutput(make()).eval()
    # Some architectures start layers at zero (ViT's head, for one): a
    # zero output would compare equal whatever the runtime computes.
    with torch.no_grad():
        for p in model.parameters():
            if p.numel() > 1 and not p.any():
                p.normal_(0.0, 0.02)
    calibrate(model, shape, name)
    rng = np.random.default_rng(1)
    if name == "text_encoder":
        x = torch.from_numpy(rng.integers(0, 1000, size=shape, dtype=np.int64))
        dtype = "int64"
    else:
        x = torch.from_numpy(rng.standard_normal(size=shape, dtype=np.float32))
        dtype = "float32"
    if not os.path.exists(path):
        # Not under torch.no_grad(): there torch 1.13 takes attention fast
        # paths that have no ONNX export (vit_b_16, the text encoder).
        torch.onnx.export(model, (x,), path, opset_version=opset, input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
        x.numpy().tofile(os.path.join(outdir, name + ".input.bin"))
    # The same model in float64: the truth both runtimes are measured
    # against (their float32 errors, not each other's, decide).
    with torch.no_grad():
        y = model.double()(x if x.dtype == torch.int64 else x.double())
    y.numpy().astype(np.float64).tofile(f64)
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        json.dump({"name": name, "input": "input", "shape": list(shape), "dtype": dtype, "opset": opset,
                   "export_version": EXPORT_VERSION}, f)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = sys.argv[1]
    names = sys.argv[2:] or list(ZOO)
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)
    failed = 0
    for name in names:
        if name not in ZOO:
            print(f"export: unknown model {name}", file=sys.stderr)
            failed += 1
            continue
        try:
            export(name, outdir)
            print(f"export: {name}", flush=True)
        except Exception as e:  # report and go on with the others
            print(f"export: {name} failed: {e}", file=sys.stderr, flush=True)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

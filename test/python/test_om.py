# Offline models from hostacl's atc through pyACL: dynamic batch gears and
# dynamic AIPP driven the way the Python samples drive them.
import os
import subprocess

import numpy as np
import pytest

import acl
from conftest import Io


def atc(tmp_path, onnx, name, *flags):
    tool = os.environ.get("HACL_ATC")
    if not tool or not os.path.exists(tool):
        pytest.skip("HACL_ATC is not set")
    out = str(tmp_path / name)
    r = subprocess.run([tool, "--model=" + onnx, "--framework=5", "--soc_version=Ascend310", "--output=" + out,
                        *flags], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return out + ".om"


def load(path):
    mid, ret = acl.mdl.load_from_file(path)
    assert ret == 0, acl.get_recent_err_msg()
    desc = acl.mdl.create_desc()
    assert acl.mdl.get_desc(desc, mid) == 0
    return mid, desc


def test_dynamic_batch_gears(device, tiny_model_path, tmp_path):
    om = atc(tmp_path, tiny_model_path, "gears", "--input_shape=images:-1,3,32,32", "--dynamic_batch_size=1,2,4")
    mid, desc = load(om)
    batch, ret = acl.mdl.get_dynamic_batch(desc)
    assert ret == 0 and batch["batch"] == [1, 2, 4]
    idx, ret = acl.mdl.get_input_index_by_name(desc, "ascend_mbatch_shape_data")
    assert ret == 0 and idx == 1
    dims, ret = acl.mdl.get_input_dims(desc, 0)
    assert dims["dims"] == [-1, 3, 32, 32]
    count, ret = acl.mdl.get_input_dynamic_gear_count(desc, -1)
    assert ret == 0 and count == 0
    io = Io(desc)
    images = np.random.default_rng(1).standard_normal((4, 3, 32, 32)).astype(np.float32)
    io.set_input(0, images)
    assert acl.mdl.set_dynamic_batch_size(mid, io.inputs, 1, 2) == 0
    cur, ret = acl.mdl.get_cur_output_dims(desc, 0)
    assert cur["dims"] == [2, 10]
    assert acl.mdl.execute(mid, io.inputs, io.outputs) == 0, acl.get_recent_err_msg()
    two = io.output(0)[:20].copy()
    assert acl.mdl.set_dynamic_batch_size(mid, io.inputs, 1, 4) == 0
    assert acl.mdl.execute(mid, io.inputs, io.outputs) == 0
    np.testing.assert_allclose(io.output(0)[:20], two, rtol=1e-4, atol=1e-5)
    assert acl.mdl.set_dynamic_batch_size(mid, io.inputs, 1, 3) == 145013
    acl.get_recent_err_msg()
    io.close()
    acl.mdl.destroy_desc(desc)
    acl.mdl.unload(mid)


def test_dynamic_aipp(device, tiny_model_path, tmp_path):
    cfg = tmp_path / "aipp.cfg"
    cfg.write_text("aipp_op {\n aipp_mode: dynamic\n related_input_rank: 0\n max_src_image_size: 3072\n}\n")
    om = atc(tmp_path, tiny_model_path, "dyn_aipp", "--insert_op_conf=" + str(cfg))
    mid, desc = load(om)
    aipp_index, ret = acl.mdl.get_input_index_by_name(desc, "ascend_dynamic_aipp_data")
    assert ret == 0 and aipp_index == 1
    kind, attached, ret = acl.mdl.get_aipp_type(mid, 0)
    assert (kind, attached, ret) == (2, 1, 0)
    size, ret = acl.mdl.get_aipp_data_size(1)
    assert (size, ret) == (160, 0)
    io = Io(desc)
    rgb = np.random.default_rng(2).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    io.set_input(0, rgb.reshape(-1))
    aipp = acl.mdl.create_aipp(1)
    assert aipp
    assert acl.mdl.set_aipp_input_format(aipp, 3) == 0  # ACL_RGB888_U8
    assert acl.mdl.set_aipp_csc_params(aipp, 0, *([0] * 9), 0, 0, 0, 0, 0, 0) == 0
    assert acl.mdl.set_aipp_src_image_size(aipp, 32, 32) == 0
    assert acl.mdl.set_aipp_dtc_pixel_mean(aipp, 100, 100, 100, 0, 0) == 0
    assert acl.mdl.set_aipp_pixel_var_reci(aipp, 0.5, 0.5, 0.5, 1.0, 0) == 0
    assert acl.mdl.set_input_aipp(mid, io.inputs, aipp_index, aipp) == 0, acl.get_recent_err_msg()
    assert acl.mdl.execute(mid, io.inputs, io.outputs) == 0, acl.get_recent_err_msg()
    via_aipp = io.output(0).copy()
    info, ret = acl.mdl.get_first_aipp_info(mid, 0)
    assert ret == 0 and info["shapeCount"] == 1 and info["outDims"][0]["srcDims"]["dims"] == [1, 3, 32, 32]
    assert acl.mdl.destroy_aipp(aipp) == 0
    io.close()
    acl.mdl.destroy_desc(desc)
    acl.mdl.unload(mid)
    # the same picture converted in Python into the plain model
    mid, desc = load(tiny_model_path)
    io = Io(desc)
    io.set_input(0, ((rgb.transpose(2, 0, 1).astype(np.float32) - 100) * 0.5)[None])
    assert acl.mdl.execute(mid, io.inputs, io.outputs) == 0
    np.testing.assert_allclose(via_aipp, io.output(0), rtol=1e-4, atol=1e-4)
    io.close()
    acl.mdl.destroy_desc(desc)
    acl.mdl.unload(mid)

# acl.mdl: loading in every form, descriptions and dims dicts, datasets,
# execution synchronous and asynchronous, errors.
import numpy as np
import pytest

import acl
from conftest import ADD_MUL, Io

ACL_ERROR_INVALID_PARAM = 100000


def test_description(add_mul):
    mid, desc, io = add_mul
    assert acl.mdl.get_num_inputs(desc) == 2 and acl.mdl.get_num_outputs(desc) == 1
    assert acl.mdl.get_input_size_by_index(desc, 0) == 24
    assert acl.mdl.get_output_size_by_index(desc, 0) == 24
    assert acl.mdl.get_input_name_by_index(desc, 1) == "b"
    assert acl.mdl.get_output_name_by_index(desc, 0) == "s"
    assert acl.mdl.get_input_index_by_name(desc, "b") == (1, 0)
    assert acl.mdl.get_output_index_by_name(desc, "s") == (0, 0)
    _, ret = acl.mdl.get_input_index_by_name(desc, "ascend_mbatch_shape_data")
    assert ret != 0  # AclLite reads this as "a static model"
    dims, ret = acl.mdl.get_input_dims(desc, 0)
    assert ret == 0 and dims == {"name": "a", "dimCount": 2, "dims": [2, 3]}
    dims, ret = acl.mdl.get_input_dims_v2(desc, 0)
    assert ret == 0 and dims["dims"] == [2, 3]
    dims, ret = acl.mdl.get_output_dims(desc, 0)
    assert ret == 0 and dims["name"] == "s"
    dims, ret = acl.mdl.get_cur_output_dims(desc, 0)
    assert ret == 0 and dims["dims"] == [2, 3]
    dims, ret = acl.mdl.get_input_dims(desc, 9)
    assert ret != 0 and dims == {}
    assert acl.mdl.get_input_data_type(desc, 0) == 0  # ACL_FLOAT
    assert acl.mdl.get_output_data_type(desc, 0) == 0
    assert acl.mdl.get_input_format(desc, 0) >= 0 and acl.mdl.get_output_format(desc, 0) >= 0
    acl.get_recent_err_msg()


def test_execute_sync_and_async(add_mul, stream):
    mid, desc, io = add_mul
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.full((2, 3), 0.5, np.float32)
    io.set_input(0, a)
    io.set_input(1, b)
    assert acl.mdl.execute(mid, io.inputs, io.outputs) == 0
    np.testing.assert_allclose(io.output(0).reshape(2, 3), (a + b) ** 2)
    io.set_input(1, -a)
    assert acl.mdl.execute_async(mid, io.inputs, io.outputs, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    np.testing.assert_array_equal(io.output(0), np.zeros(6, np.float32))


def test_datasets_and_tensor_descs(device):
    ds = acl.mdl.create_dataset()
    assert ds
    p, ret = acl.rt.malloc(64, 0)
    buf = acl.create_data_buffer(p, 64)
    assert acl.get_data_buffer_addr(buf) == p
    assert acl.get_data_buffer_size(buf) == 64 and acl.get_data_buffer_size_v2(buf) == 64
    assert acl.update_data_buffer(buf, p, 32) == 0 and acl.get_data_buffer_size_v2(buf) == 32
    assert acl.mdl.add_dataset_buffer(ds, buf) == (ds, 0)
    assert acl.mdl.get_dataset_num_buffers(ds) == 1
    assert acl.mdl.get_dataset_buffer(ds, 0) == buf
    assert acl.mdl.get_dataset_buffer(ds, 5) == 0
    td = acl.create_tensor_desc(0, [2, 3, 4], 0)
    assert td
    assert acl.get_tensor_desc_num_dims(td) == 3 and acl.get_tensor_desc_element_count(td) == 24
    assert acl.get_tensor_desc_size(td) == 96 and acl.get_tensor_desc_type(td) == 0
    assert acl.get_tensor_desc_dim_v2(td, 2) == (4, 0)
    assert acl.get_tensor_desc_dim_v2(td, 7)[1] != 0
    acl.set_tensor_desc_name(td, "x")
    assert acl.get_tensor_desc_name(td) == "x"
    assert acl.set_tensor_shape(td, [5]) == 0 and acl.get_tensor_desc_element_count(td) == 5
    assert acl.set_tensor_format(td, 2) == 0 and acl.get_tensor_desc_format(td) == 2
    assert acl.mdl.set_dataset_tensor_desc(ds, td, 0) == 0
    assert acl.mdl.get_dataset_tensor_desc(ds, 0) == td
    assert acl.data_type_size(1) == 2
    assert acl.float16_to_float(acl.float_to_float16(1.5)) == 1.5
    with pytest.raises(TypeError):
        acl.create_tensor_desc(0, ["a"], 0)
    with pytest.raises(ValueError):
        acl.float16_to_float(1 << 20)
    acl.destroy_tensor_desc(td)
    assert acl.mdl.destroy_dataset(ds) == 0
    assert acl.destroy_data_buffer(buf) == 0
    assert acl.destroy_data_buffer(buf) != 0
    assert acl.rt.free(p) == 0
    acl.get_recent_err_msg()


def test_every_load_form(device):
    data = open(ADD_MUL, "rb").read()
    work, weight, ret = acl.mdl.query_size(ADD_MUL)
    assert ret == 0 and work > 0
    assert acl.mdl.query_size_from_mem(acl.util.bytes_to_ptr(data), len(data)) == (work, weight, 0)
    ids = []
    mid, ret = acl.mdl.load_from_mem(acl.util.bytes_to_ptr(data), len(data))
    assert ret == 0
    ids.append(mid)
    wp, _ = acl.rt.malloc(work, 0)
    gp, _ = acl.rt.malloc(max(weight, 1), 0)
    mid, ret = acl.mdl.load_from_file_with_mem(ADD_MUL, wp, work, gp, max(weight, 1))
    assert ret == 0, acl.get_recent_err_msg()
    ids.append(mid)
    w2, _ = acl.rt.malloc(work, 0)
    g2, _ = acl.rt.malloc(max(weight, 1), 0)
    mid, ret = acl.mdl.load_from_mem_with_mem(acl.util.bytes_to_ptr(data), len(data), w2, work, g2, max(weight, 1))
    assert ret == 0, acl.get_recent_err_msg()
    ids.append(mid)
    cfg = acl.mdl.create_config_handle()
    assert acl.mdl.set_config_opt(cfg, 1, 1) == 0  # ACL_MDL_LOAD_TYPE_SIZET = FROM_FILE
    path = (ADD_MUL + "/")[:-1]  # a new string object
    assert acl.mdl.set_config_opt(cfg, 2, path) == 0  # ACL_MDL_PATH_PTR
    del path  # the handle keeps its own reference to the string's bytes
    assert acl.mdl.set_config_opt(cfg, 0, 1) == 0  # ACL_MDL_PRIORITY_INT32
    mid, ret = acl.mdl.load_with_config(cfg)
    assert ret == 0, acl.get_recent_err_msg()
    ids.append(mid)
    assert acl.mdl.destroy_config_handle(cfg) == 0
    assert acl.mdl.destroy_config_handle(cfg) != 0
    with pytest.raises(TypeError):
        acl.mdl.set_config_opt(acl.mdl.create_config_handle(), 1, 1.0)
    assert len(set(ids)) == 4
    for i in ids:
        assert acl.mdl.unload(i) == 0
    assert acl.mdl.unload(ids[0]) != 0
    for p in (wp, gp, w2, g2):
        acl.rt.free(p)
    acl.get_recent_err_msg()


def test_load_and_execute_errors(add_mul, stream):
    mid, desc, io = add_mul
    _, ret = acl.mdl.load_from_file("/nonexistent.om")
    assert ret != 0
    assert "nonexistent" in acl.get_recent_err_msg()
    with pytest.raises(ValueError):
        acl.mdl.load_from_mem(0x1000, 100)  # not this process's memory
    assert acl.mdl.execute(mid, io.outputs, io.inputs) != 0  # swapped: counts differ
    assert acl.mdl.execute(mid + 100, io.inputs, io.outputs) != 0
    assert acl.mdl.execute(mid, 0, io.outputs) == ACL_ERROR_INVALID_PARAM
    assert acl.mdl.execute_async(mid, io.inputs, io.outputs, 0xBAD) != 0
    # a buffer that points at memory that is not there
    bad = acl.create_data_buffer(0x2000, 24)
    ds = acl.mdl.create_dataset()
    acl.mdl.add_dataset_buffer(ds, bad)
    acl.mdl.add_dataset_buffer(ds, bad)
    with pytest.raises(ValueError):
        acl.mdl.execute(mid, ds, io.outputs)
    acl.mdl.destroy_dataset(ds)
    acl.destroy_data_buffer(bad)
    acl.get_recent_err_msg()


def test_dynamic_shape_calls_answer_for_a_static_model(add_mul):
    mid, desc, io = add_mul
    batch, ret = acl.mdl.get_dynamic_batch(desc)
    assert isinstance(batch, dict) and "batch" in batch
    hw, ret = acl.mdl.get_dynamic_hw(desc, 0)
    assert isinstance(hw, dict) and "hw" in hw
    assert acl.mdl.set_dynamic_batch_size(mid, io.inputs, 0, 1) != 0
    assert acl.mdl.set_dynamic_hw_size(mid, io.inputs, 0, 2, 2) != 0
    assert acl.mdl.set_input_dynamic_dims(mid, io.inputs, 0, {"name": "", "dimCount": 1, "dims": [2]}) != 0
    with pytest.raises(TypeError):
        acl.mdl.set_input_dynamic_dims(mid, io.inputs, 0, {"dims": "x"})
    acl.get_recent_err_msg()


def test_tiny_classifier_runs(device, tiny_model_path):
    mid, ret = acl.mdl.load_from_file(tiny_model_path)
    assert ret == 0
    desc = acl.mdl.create_desc()
    assert acl.mdl.get_desc(desc, mid) == 0
    io = Io(desc)
    x = np.random.default_rng(0).standard_normal(io.sizes[0] // 4).astype(np.float32)
    io.set_input(0, x)
    assert acl.mdl.execute(mid, io.inputs, io.outputs) == 0
    y = io.output(0)
    assert np.all(np.isfinite(y))
    io.close()
    acl.mdl.destroy_desc(desc)
    assert acl.mdl.unload(mid) == 0

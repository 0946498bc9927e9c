# pytest fixtures for the `acl` module: the module from the build tree
# (PYTHONPATH, set by ctest), an initialised runtime with device 0, and
# small models. Run: PYTHONPATH=build/python /usr/bin/python3 -m pytest test/python
import os
import subprocess
import tempfile

import numpy as np
import pytest

import acl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ADD_MUL = os.path.join(ROOT, "test", "fuzz", "corpus", "add_mul.onnx")  # s = (a + b)^2, [2, 3] floats


@pytest.fixture
def device():
    """aclInit + device 0 for one test; everything torn down after."""
    assert acl.init() == 0
    assert acl.rt.set_device(0) == 0
    ctx, ret = acl.rt.get_context()
    assert ret == 0
    yield ctx
    acl.rt.reset_device(0)
    assert acl.finalize() == 0
    acl.get_recent_err_msg()


@pytest.fixture
def stream(device):
    s, ret = acl.rt.create_stream()
    assert ret == 0
    yield s
    acl.rt.destroy_stream(s)


@pytest.fixture(scope="session")
def tiny_model_path():
    """A small convolutional classifier from hacl-modelgen (ctest passes its path)."""
    gen = os.environ.get("HACL_MODELGEN")
    if not gen or not os.path.exists(gen):
        pytest.skip("HACL_MODELGEN is not set")
    path = os.path.join(tempfile.mkdtemp(prefix="hostacl-py-"), "tiny.om")
    subprocess.run([gen, "tiny", "-o", path], check=True, stderr=subprocess.DEVNULL)
    return path


class Io:
    """Device buffers for every input and output of a model, in datasets."""

    def __init__(self, desc):
        self.desc = desc
        self.inputs, self.outputs = acl.mdl.create_dataset(), acl.mdl.create_dataset()
        self.ptrs, self.bufs, self.sizes = [], [], []
        for side, ds in ((0, self.inputs), (1, self.outputs)):
            n = acl.mdl.get_num_outputs(desc) if side else acl.mdl.get_num_inputs(desc)
            for i in range(n):
                size = (acl.mdl.get_output_size_by_index if side else acl.mdl.get_input_size_by_index)(desc, i)
                p, ret = acl.rt.malloc(size, 0)
                assert ret == 0
                b = acl.create_data_buffer(p, size)
                _, ret = acl.mdl.add_dataset_buffer(ds, b)
                assert ret == 0
                self.ptrs.append(p)
                self.bufs.append(b)
                self.sizes.append(size)
        self.nin = acl.mdl.get_num_inputs(desc)

    def set_input(self, i, array):
        a = np.ascontiguousarray(array)
        assert a.nbytes == self.sizes[i]
        assert acl.rt.memcpy(self.ptrs[i], self.sizes[i], acl.util.numpy_to_ptr(a), a.nbytes, 1) == 0

    def output(self, i, dtype=np.float32):
        out = np.empty(self.sizes[self.nin + i] // np.dtype(dtype).itemsize, dtype)
        assert acl.rt.memcpy(acl.util.numpy_to_ptr(out), out.nbytes, self.ptrs[self.nin + i], out.nbytes, 2) == 0
        return out

    def close(self):
        acl.mdl.destroy_dataset(self.inputs)
        acl.mdl.destroy_dataset(self.outputs)
        for b in self.bufs:
            acl.destroy_data_buffer(b)
        for p in self.ptrs:
            acl.rt.free(p)


@pytest.fixture
def add_mul(device):
    """The add_mul model loaded, its desc and buffers: yields (model_id, desc, io)."""
    mid, ret = acl.mdl.load_from_file(ADD_MUL)
    assert ret == 0, acl.get_recent_err_msg()
    desc = acl.mdl.create_desc()
    assert acl.mdl.get_desc(desc, mid) == 0
    io = Io(desc)
    yield mid, desc, io
    io.close()
    acl.mdl.destroy_desc(desc)
    acl.mdl.unload(mid)


class ReportLoop:
    """A report thread as the samples write it: acl.util.start_thread, then
    process_report until stopped."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.stop = False
        self.tid, ret = acl.util.start_thread(self._run, [])
        assert ret == 0

    def _run(self, _):
        acl.rt.set_context(self.ctx)
        while not self.stop:
            acl.rt.process_report(20)

    def close(self):
        self.stop = True
        assert acl.util.stop_thread(self.tid) == 0

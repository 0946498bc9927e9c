# Never a crash from Python: every function of the module called with
# made-up ints, wrong types and odd values raises or returns an error code.
# The calls run in a child process, so a crash fails the test instead of
# taking pytest down.
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

CHILD = r"""
import random, sys, numpy as np
import acl

rng = random.Random(int(sys.argv[1]))
acl.init()
acl.rt.set_device(0)
stream, _ = acl.rt.create_stream()
dev, _ = acl.rt.malloc(256, 0)
arr = np.zeros(64, np.float32)
good = [dev, stream, acl.util.numpy_to_ptr(arr)]
# Functions that would block forever on valid handles, or that have effects
# on the process the fuzz must not have.
skip = {"finalize", "finalize_reference", "init", "stop_thread", "start_thread", "process_report",
        "reset_device", "reset_device_force", "destroy_context", "synchronize_device",
        "launch_callback", "launch_host_func", "subscribe_report", "unsubscribe_report", "free", "free_host",
        "destroy_stream", "destroy_stream_force", "synchronize_stream", "synchronize_event", "set_context"}
values = [0, 1, 2, -1, 7, 1 << 40, 0x1000, 0xDEADBEEF, 2**64 - 1, 2**70, 1.5, "s", b"b", None, [1, 2], {}, (),
          {"dims": [1]}, dev, stream]
funcs = []
for mod in (acl, acl.rt, acl.mdl, acl.util):
    for name in dir(mod):
        f = getattr(mod, name)
        if callable(f) and not name.startswith("_") and name not in skip and not isinstance(f, type):
            funcs.append((mod.__name__ + "." + name, f))
calls = 0
for _ in range(20000):
    name, f = rng.choice(funcs)
    args = [rng.choice(values) for _ in range(rng.randint(0, 7))]
    try:
        f(*args)
    except (TypeError, ValueError, OverflowError, SystemError) as e:
        if isinstance(e, SystemError):
            raise
    calls += 1
    acl.get_recent_err_msg()
print("calls", calls)
acl.rt.free(dev)
acl.rt.destroy_stream(stream)
acl.rt.reset_device(0)
acl.finalize()
"""


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_calls_never_crash(seed):
    env = dict(os.environ, ASCEND_GLOBAL_LOG_LEVEL="4")
    r = subprocess.run([sys.executable, "-c", CHILD, str(seed)], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "calls 20000" in r.stdout

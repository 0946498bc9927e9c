# Callbacks, report threads and the GIL: the sample pattern, BLOCK callbacks
# while the main thread synchronises (deadlock case), exceptions, reference
# counts over many callbacks, host functions, cancellation.
import gc
import sys
import threading
import time

import numpy as np
import pytest

import acl
from conftest import ReportLoop

BLOCK, NO_BLOCK = 1, 0


def test_sample_pattern_with_executions(add_mul, stream):
    """As the samples: start_thread a report loop, subscribe, execute_async
    N times with a callback every k runs, synchronize, unsubscribe, stop."""
    mid, desc, io = add_mul
    ctx, _ = acl.rt.get_context()
    loop = ReportLoop(ctx)
    assert acl.rt.subscribe_report(loop.tid, stream) == 0
    seen = []
    order = []
    for i in range(20):
        assert acl.mdl.execute_async(mid, io.inputs, io.outputs, stream) == 0
        if i % 4 == 3:
            assert acl.rt.launch_callback(lambda d: (seen.append(threading.get_ident()), order.append(d[0])), [i], BLOCK,
                                          stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    assert acl.rt.unsubscribe_report(loop.tid, stream) == 0
    loop.close()
    assert order == [3, 7, 11, 15, 19]
    assert set(seen) == {loop.tid}  # on the report thread (its pthread_t is its ident)


def test_block_callback_needing_the_gil_while_main_synchronizes(device, stream):
    """synchronize_stream releases the GIL: a BLOCK callback that runs Python
    on the report thread can finish."""
    ctx, _ = acl.rt.get_context()
    loop = ReportLoop(ctx)
    assert acl.rt.subscribe_report(loop.tid, stream) == 0
    box = []

    def slow(_):
        s = 0
        for i in range(200000):  # holds the GIL for a while
            s += i
        box.append(s)

    for _ in range(5):
        assert acl.rt.launch_callback(slow, None, BLOCK, stream) == 0
    t0 = time.time()
    assert acl.rt.synchronize_stream(stream) == 0
    assert len(box) == 5 and time.time() - t0 < 30
    # and with a timeout
    assert acl.rt.launch_callback(slow, None, BLOCK, stream) == 0
    assert acl.rt.synchronize_stream_with_timeout(stream, 20000) == 0
    assert acl.rt.unsubscribe_report(loop.tid, stream) == 0
    loop.close()


def test_exception_in_callback_is_printed_and_the_thread_goes_on(device, stream, capfd):
    ctx, _ = acl.rt.get_context()
    loop = ReportLoop(ctx)
    assert acl.rt.subscribe_report(loop.tid, stream) == 0
    after = []

    def bad(_):
        raise KeyError("boom-in-callback")

    assert acl.rt.launch_callback(bad, None, BLOCK, stream) == 0
    assert acl.rt.launch_callback(after.append, 1, NO_BLOCK, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    deadline = time.time() + 10
    while not after and time.time() < deadline:
        time.sleep(0.001)
    assert acl.rt.unsubscribe_report(loop.tid, stream) == 0
    loop.close()
    err = capfd.readouterr().err
    assert "boom-in-callback" in err and "Traceback" in err
    assert after == [1]


def test_references_over_100000_callbacks(device, stream):
    ctx, _ = acl.rt.get_context()
    loop = ReportLoop(ctx)
    assert acl.rt.subscribe_report(loop.tid, stream) == 0
    count = [0]

    def fn(d):
        count[0] += 1

    data = ["user data"]
    gc.collect()
    fn_refs, data_refs = sys.getrefcount(fn), sys.getrefcount(data)
    n = 100000
    for i in range(n):
        assert acl.rt.launch_callback(fn, data, NO_BLOCK if i % 2 else BLOCK, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    deadline = time.time() + 30
    while count[0] < n and time.time() < deadline:
        time.sleep(0.001)
    assert acl.rt.unsubscribe_report(loop.tid, stream) == 0
    loop.close()
    assert count[0] == n
    assert sys.getrefcount(fn) == fn_refs and sys.getrefcount(data) == data_refs


def test_host_function_runs_in_order(device, stream):
    out = []
    for i in range(10):
        assert acl.rt.launch_host_func(stream, out.append, i) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    assert out == list(range(10))


def test_launch_errors_release_their_references(device, stream):
    data = object()
    before = sys.getrefcount(data)
    # no report thread subscribed: refused, and nothing is kept
    assert acl.rt.launch_callback(print, data, BLOCK, stream) != 0
    assert acl.rt.launch_callback(print, data, 7, stream) != 0
    assert acl.rt.launch_host_func(0xBAD, print, data) != 0
    assert sys.getrefcount(data) == before
    with pytest.raises(TypeError):
        acl.rt.launch_callback(42, data, BLOCK, stream)
    acl.get_recent_err_msg()


def test_forced_destroy_releases_callbacks_that_never_run(device):
    """A callback dropped by a forced destroy never runs: its references go."""
    ctx, _ = acl.rt.get_context()
    s, _ = acl.rt.create_stream()
    loop = ReportLoop(ctx)
    assert acl.rt.subscribe_report(loop.tid, s) == 0
    gate = threading.Event()
    data = ["kept until cancelled"]
    before = sys.getrefcount(data)
    ran = []
    assert acl.rt.launch_host_func(s, lambda _: gate.wait(), None) == 0
    for _ in range(50):
        assert acl.rt.launch_callback(ran.append, data, BLOCK, s) == 0
    assert sys.getrefcount(data) == before + 50
    opener = threading.Timer(0.05, gate.set)
    opener.start()
    assert acl.rt.destroy_stream_force(s) == 0
    opener.join()
    loop.close()
    assert sys.getrefcount(data) == before
    acl.get_recent_err_msg()


def test_threads(device):
    out = []
    tid, ret = acl.util.start_thread(out.append, "arg")
    assert ret == 0 and tid
    assert acl.util.stop_thread(tid) == 0
    assert out == ["arg"]
    assert acl.util.stop_thread(tid) != 0  # stopped already

    def bad(_):
        raise ValueError("thread failed")

    tid, ret = acl.util.start_thread(bad, None)
    with pytest.raises(RuntimeError):
        acl.util.stop_thread(tid)
    with pytest.raises(TypeError):
        acl.util.start_thread(None, None)


def test_process_report_errors(device):
    assert acl.rt.process_report(0) != 0  # 0 is not a timeout
    assert acl.rt.process_report(10) != 0  # not subscribed
    acl.get_recent_err_msg()

# The module keeps pace with the C headers: every public AscendCL function
# has its pyACL-named wrapper (a C function added without one fails here).
import os
import re

import acl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADERS = ["acl_base.h", "acl_rt.h", "acl_mdl.h", "acl.h", "ops/acl_dvpp.h"]

# Names pyACL spells otherwise than the rule (snake_case without the prefix).
EXCEPTIONS = {
    "aclrtSetCurrentContext": "rt.set_context",
    "aclrtGetCurrentContext": "rt.get_context",
    "aclrtGetSocName": "get_soc_name",
    "aclrtUnSubscribeReport": "rt.unsubscribe_report",
    "aclrtUnSubscribeHostFunc": "rt.unsubscribe_host_func",
}


def c_functions():
    names = set()
    for h in HEADERS:
        path = os.path.join(ROOT, "acl", h)
        if not os.path.exists(path):
            continue
        text = open(path).read()
        names |= set(re.findall(r"ACL_FUNC_VISIBILITY[^;(]*?\b(acl[A-Za-z0-9]+)\s*\(", text))
    return sorted(names)


def py_name(c):
    if c in EXCEPTIONS:
        return EXCEPTIONS[c]
    for prefix, mod in (("aclrt", "rt."), ("aclmdl", "mdl."), ("aclsys", "sys."), ("acldvpp", "media.dvpp_"),
                        ("aclvdec", "media.vdec_"), ("aclvenc", "media.venc_"), ("acl", "")):
        if c.startswith(prefix) and c[len(prefix)].isupper():
            rest = c[len(prefix):]
            snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", rest).lower()
            return mod + snake
    raise AssertionError(c)


def lookup(name):
    obj = acl
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def test_every_c_function_has_its_pyacl_wrapper():
    funcs = c_functions()
    assert len(funcs) > 100, funcs  # the headers were found and read
    missing = [f"{c} -> acl.{py_name(c)}" for c in funcs if not callable(lookup(py_name(c)))]
    assert not missing, "no wrapper for: " + ", ".join(missing)


def test_the_name_rule():
    assert py_name("aclrtMalloc") == "rt.malloc"
    assert py_name("aclmdlLoadFromFile") == "mdl.load_from_file"
    assert py_name("aclCreateDataBuffer") == "create_data_buffer"
    assert py_name("aclrtMemcpy2dAsync") == "rt.memcpy2d_async"
    assert py_name("aclGetTensorDescDimV2") == "get_tensor_desc_dim_v2"
    assert py_name("aclFloat16ToFloat") == "float16_to_float"
    assert py_name("aclmdlSetDynamicHWSize") == "mdl.set_dynamic_hw_size"


def test_submodules_are_attributes_and_importable():
    import acl.mdl
    import acl.rt
    import acl.util
    from acl import hacl

    assert acl.rt is acl.rt and acl.mdl.__name__ == "acl.mdl" and hacl.__name__ == "acl.hacl"
    for name in ("bytes_to_ptr", "ptr_to_bytes", "numpy_to_ptr", "ptr_to_numpy", "start_thread", "stop_thread"):
        assert name in dir(acl.util)

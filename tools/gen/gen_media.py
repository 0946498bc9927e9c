#!/usr/bin/env python3
"""Writes python/media_*.c: the acl.media wrappers (pyACL names) of every
function acl/ops/acl_dvpp.h declares. Run from the repository root after
changing the header:  /usr/bin/python3 tools/gen/gen_media.py
Pointers travel as addresses (ints); output parameters come back in a tuple
before ret, as pyACL returns them."""
import re

hdr = open("acl/ops/acl_dvpp.h").read()
decls = [" ".join(d.split()) for d in re.findall(r"ACL_FUNC_VISIBILITY\s+(.*?);", hdr, re.S)]


def py_name(c):
    for prefix, repl in (("acldvpp", "dvpp_"), ("aclvdec", "vdec_"), ("aclvenc", "venc_")):
        if c.startswith(prefix):
            rest = c[len(prefix):]
            return repl + re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", rest).lower()
    raise SystemExit(c)


# output parameters: (function, parameter) -> C type of the value returned
OUTS = {
    ("acldvppJpegGetImageInfo", "width"): "uint32_t", ("acldvppJpegGetImageInfo", "height"): "uint32_t",
    ("acldvppJpegGetImageInfo", "components"): "int32_t",
    ("acldvppJpegGetImageInfoV2", "width"): "uint32_t", ("acldvppJpegGetImageInfoV2", "height"): "uint32_t",
    ("acldvppJpegGetImageInfoV2", "components"): "int32_t", ("acldvppJpegGetImageInfoV2", "format"): "acldvppJpegFormat",
    ("acldvppPngGetImageInfo", "width"): "uint32_t", ("acldvppPngGetImageInfo", "height"): "uint32_t",
    ("acldvppPngGetImageInfo", "components"): "int32_t",
    ("acldvppJpegPredictEncSize", "size"): "uint32_t", ("acldvppJpegPredictDecSize", "decSize"): "uint32_t",
    ("acldvppPngPredictDecSize", "decSize"): "uint32_t", ("acldvppMalloc", "devPtr"): "void *",
    ("acldvppGetChannelDescParam", "paramRetSize"): "size_t", ("aclvdecGetChannelDescParam", "paramRetSize"): "size_t",
    ("aclvencGetChannelDescParam", "paramRetSize"): "size_t",
    ("acldvppGetLutMapData", "data"): "uint8_t *", ("acldvppGetLutMapData", "len"): "uint32_t",
    ("acldvppGetHistData", "data"): "uint32_t *", ("acldvppGetHistData", "len"): "uint16_t",
}
# arrays given as Python lists
LISTS = {"cropAreas[]": "acldvppRoiConfig *", "pasteAreas[]": "acldvppRoiConfig *",
         "borderCfgs[]": "acldvppBorderConfig *"}

HEAD = '''/*
 * acl.media: the DVPP calls under pyACL's names (acldvppJpegDecodeAsync ->
 * acl.media.dvpp_jpeg_decode_async). Written by tools/gen/gen_media.py from
 * acl/ops/acl_dvpp.h; pointers are addresses (ints), output parameters
 * come back before ret, arrays of regions are lists of addresses.
 */
#define ENABLE_DVPP_INTERFACE
#include <string.h>

#include "acl/ops/acl_dvpp.h"
#include "binding.h"

/* A list of object addresses as a C array (PyMem_Free): NULL with an
 * exception set. */
static void **addr_list(PyObject *list, Py_ssize_t *n)
{
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "a list of addresses is expected");
        return NULL;
    }
    *n = PyList_GET_SIZE(list);
    void **a = PyMem_Calloc((size_t)(*n ? *n : 1), sizeof *a);
    if (!a)
        return (void **)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < *n; i++)
        if (!hpy_addr(PyList_GET_ITEM(list, i), &a[i])) {
            PyMem_Free(a);
            return NULL;
        }
    return a;
}

/* roiNums: a list of ints as a uint32_t array (PyMem_Free). */
static uint32_t *u32_list(PyObject *list, Py_ssize_t *n)
{
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "a list of ints is expected");
        return NULL;
    }
    *n = PyList_GET_SIZE(list);
    uint32_t *a = PyMem_Calloc((size_t)(*n ? *n : 1), sizeof *a);
    if (!a)
        return (uint32_t *)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < *n; i++)
        if (!hpy_u32(PyList_GET_ITEM(list, i), &a[i])) {
            PyMem_Free(a);
            return NULL;
        }
    return a;
}
'''
# the files, by the header's sections: (file, first function of the next)
PARTS = [("media_objects", "acldvppCreateBatchPicDesc"), ("media_configs", "acldvppJpegGetImageInfo"),
         ("media_ops", "acldvppCreateStreamDesc"), ("media_vdec", "aclvencCreateChannelDesc"), ("media_venc", None)]
part, out, table, written = 0, [], [], []

def flush(last):
    fname, _ = PARTS[part]
    helpers = HEAD if "List" in "".join(out) or "_list(" in "".join(out) else HEAD.split("/* A list of object")[0]
    text = helpers + "\n".join(out)
    text += f"PyMethodDef hpy_{fname}_methods[] = {{\n" + "".join(
        f'    {{"{n}", py_{n}, METH_VARARGS, NULL}},\n' for n in table) + "    {NULL, NULL, 0, NULL},\n};\n"
    open(f"python/{fname}.c", "w").write(text)
    written.append((fname, len(table)))


for d in decls:
    m = re.match(r"(.*?)\b(\w+)\((.*)\)$", d)
    ret, name, args = m.group(1).strip(), m.group(2), m.group(3)
    if PARTS[part][1] == name:
        flush(False)
        part, out, table = part + 1, [], []
    params = [] if args.strip() == "void" else [a.strip() for a in args.split(",")]
    pname = py_name(name)
    decl_lines, fmt, conv, call_args, outs, frees, lists_code = [], "", [], [], [], [], []
    for p in params:
        pm = re.match(r"(.*?)(\w+(\[\])?)$", p)
        ptype, pvar = pm.group(1).strip(), pm.group(2)
        var = pvar.replace("[]", "")
        if (name, var) in OUTS:
            t = OUTS[(name, var)]
            decl_lines.append(f"    {t} {var} = 0;")
            call_args.append("&" + var)
            outs.append((t, var))
            continue
        if pvar in LISTS:
            decl_lines.append(f"    PyObject *{var}_obj;\n    void **{var} = NULL;\n    Py_ssize_t {var}_n = 0;")
            fmt += "O"
            conv.append(f"&{var}_obj")
            lists_code.append(f"    if (!({var} = addr_list({var}_obj, &{var}_n)))\n        goto done;")
            frees.append(f"PyMem_Free({var});")
            call_args.append(f"({LISTS[pvar]} *){var}")
            continue
        if var == "roiNums":
            decl_lines.append(f"    PyObject *{var}_obj;\n    uint32_t *{var} = NULL;\n    Py_ssize_t {var}_n = 0;")
            fmt += "O"
            conv.append(f"&{var}_obj")
            lists_code.append(f"    if (!({var} = u32_list({var}_obj, &{var}_n)))\n        goto done;")
            frees.append(f"PyMem_Free({var});")
            call_args.append(var)
            continue
        if "*" in ptype or ptype in ("aclrtStream", "aclvdecCallback", "aclvencCallback"):
            decl_lines.append(f"    void *{var};")
            fmt += "O&"
            conv.append(f"hpy_addr, &{var}")
            call_args.append(f"({ptype}){var}")
        elif ptype == "double":
            decl_lines.append(f"    double {var};")
            fmt += "d"
            conv.append(f"&{var}")
            call_args.append(var)
        elif ptype == "uint64_t":
            decl_lines.append(f"    uint64_t {var};")
            fmt += "O&"
            conv.append(f"hpy_u64, &{var}")
            call_args.append(var)
        elif ptype == "size_t":
            decl_lines.append(f"    size_t {var};")
            fmt += "O&"
            conv.append(f"hpy_size, &{var}")
            call_args.append(var)
        elif ptype == "uint32_t":
            decl_lines.append(f"    uint32_t {var};")
            fmt += "O&"
            conv.append(f"hpy_u32, &{var}")
            call_args.append(var)
        else:  # enums and small ints
            decl_lines.append(f"    int {var};")
            fmt += "i"
            conv.append(f"&{var}")
            call_args.append(f"({ptype}){var}")
    body = [f"static PyObject *py_{pname}(PyObject *self, PyObject *args)", "{", "    (void)self;"]
    body += decl_lines
    body.append("    PyObject *result = NULL;")
    conv_s = ", ".join(conv)
    body.append(f'    if (!PyArg_ParseTuple(args, "{fmt}:{pname}"{", " + conv_s if conv_s else ""}))')
    body.append("        return NULL;")
    body += lists_code
    call = f"{name}({', '.join(call_args)})"
    if ret == "aclError":
        body.append(f"    aclError rc = {call};")
        if outs:
            items = []
            bfmt = ""
            for t, v in outs:
                if t.endswith("*"):
                    bfmt += "K"
                    items.append(f"(unsigned long long)(uintptr_t){v}")
                else:
                    bfmt += "L"
                    items.append(f"(long long){v}")
            body.append(f'    result = Py_BuildValue("({bfmt}i)", {", ".join(items)}, (int)rc);')
        else:
            body.append("    result = hpy_ret(rc);")
    elif ret.endswith("*") or ret in ("aclvdecCallback", "aclvencCallback"):
        body.append(f"    result = hpy_addr_obj((const void *){call});")
    elif ret == "double":
        body.append(f"    result = PyFloat_FromDouble({call});")
    else:
        body.append(f"    result = PyLong_FromLongLong((long long){call});")
    if lists_code:
        body.append("done:")
    for f in frees:
        body.append(f"    {f}")
    body.append("    return result;")
    body.append("}")
    out.append("\n".join(body) + "\n")
    table.append(pname)
flush(True)
print(written)

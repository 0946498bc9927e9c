#!/usr/bin/env python3
"""Rewrites README's list of unimplemented functions from runtime/unsupported.c
(the Docs.ReadmeListsUnimplementedFunctions test checks they agree)."""
import re
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
stubs = (root / "runtime/unsupported.c").read_text()
names = re.findall(r"^ACL_FUNC_VISIBILITY [^(]*?(\w+)\(", stubs, re.M)
groups = {}
for n in names:
    if n.startswith("aclmdl") and ("Dynamic" in n):
        g = "dynamic shapes"
    elif n.startswith("aclmdl") and "Config" in n:
        g = "model configuration handles"
    elif n.startswith("aclmdl"):
        g = "models and datasets"
    else:
        g = "data buffers, tensor descriptions, data types"
    groups.setdefault(g, []).append(n)
body = "".join(f"- {g}: " + ", ".join(f"`{n}`" for n in ns) + "\n" for g, ns in groups.items())
readme = (root / "README.md").read_text()
readme = re.sub(r"(<!-- unsupported:begin -->\n).*?(<!-- unsupported:end -->)",
                lambda m: m.group(1) + body + m.group(2), readme, flags=re.S)
(root / "README.md").write_text(readme)
print(f"{len(names)} unimplemented functions listed")

"""Fails when a dependency of relance (normal or build, any feature) declares a
rust-version above the crate's own: the declared MSRV must stay buildable."""
import json
import subprocess
import sys

meta = json.loads(subprocess.check_output(
    ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"]))
packages = {p["id"]: p for p in meta["packages"]}
root = next(p for p in meta["packages"] if p["name"] == "relance")
msrv = tuple(int(x) for x in root["rust_version"].split(".")[:2])
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}

seen, stack = set(), [root["id"]]
while stack:
    current = stack.pop()
    if current in seen:
        continue
    seen.add(current)
    for dep in nodes[current]["deps"]:
        kinds = {k["kind"] for k in dep["dep_kinds"]}
        if kinds == {"dev"}:
            continue
        stack.append(dep["pkg"])

too_new = []
for pid in seen:
    rv = packages[pid].get("rust_version")
    if rv and tuple(int(x) for x in rv.split(".")[:2]) > msrv:
        too_new.append(f"{packages[pid]['name']} {packages[pid]['version']} needs Rust {rv}")
if too_new:
    print("dependencies above the declared MSRV", root["rust_version"], ":", *too_new, sep="\n  ")
    sys.exit(1)
print(f"{len(seen)} crates, all within rust-version {root['rust_version']}")

"""Fails when a dependency of relance (normal or build) declares a rust-version above the
crate's own: the declared MSRV must stay buildable. Every feature is checked against the
crate's rust-version, except the features that document a higher minimum of their own
(FEATURE_MINIMUM), which are checked against that."""
import json
import subprocess
import sys

# Features whose dependencies need a newer Rust than the crate, as their docs say.
FEATURE_MINIMUM = {"datafusion": "1.94"}


def version(text):
    return tuple(int(x) for x in text.split(".")[:2])


def check(features, minimum):
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked",
         "--no-default-features", "--features", ",".join(features)]))
    packages = {p["id"]: p for p in meta["packages"]}
    root = next(p for p in meta["packages"] if p["name"] == "relance")
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
        if rv and version(rv) > version(minimum):
            too_new.append(f"{packages[pid]['name']} {packages[pid]['version']} needs Rust {rv}")
    label = ",".join(features) or "no features"
    if too_new:
        print(f"dependencies above Rust {minimum} with {label}:", *too_new, sep="\n  ")
        return False
    print(f"{len(seen)} crates with {label}, all within Rust {minimum}")
    return True


meta = json.loads(subprocess.check_output(
    ["cargo", "metadata", "--format-version", "1", "--locked", "--no-deps"]))
root = next(p for p in meta["packages"] if p["name"] == "relance")
msrv = root["rust_version"]
features = sorted(f for f in root["features"] if f != "default")
ok = check([f for f in features if f not in FEATURE_MINIMUM], msrv)
for feature, minimum in FEATURE_MINIMUM.items():
    ok = check([feature], minimum) and ok
sys.exit(0 if ok else 1)

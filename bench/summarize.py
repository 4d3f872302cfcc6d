#!/usr/bin/env python3
"""Turns the sweep's BenchmarkDotNet CSV reports into the Markdown tables of docs/benchmarks.md.

Usage: bench/summarize.py BenchmarkDotNet.Artifacts/results
Reads *UpdateSweep-report.csv, *UpdateThreadsSweep-report.csv and *ThreadsSweep-report.csv; prints, per case, ns/step, GB/s, allocated bytes,
speed relative to the hand-written loop (t_hand / t), the fraction of the stream ceiling (GB/s / stream GB/s), and
the speed-up over TorchSharp with 1 and 2 threads (t_torch / t). Then, from *FamilySweep-report.csv, the same for
each family optimizer (ns/step, GB/s, allocated, vs hand-written, × faster than TorchSharp), and from
*UserRuleSweep-report.csv each user rule against its built-in (t_built-in / t_user);
*GuardSweepScalars-report.csv, *GuardSweepArray-report.csv: the update at N = 2 and 64 with and without the concurrent-use guard
(and at 64 the hand-written loop unrolled as the generated one is).
"""
import csv
import glob
import os
import re
import sys

UNITS = {"ns": 1.0, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}


def ns(text):
    text = text.replace(",", "").strip()
    m = re.match(r"([0-9.]+)\s*(\S+)", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")


def bytes_(text):
    text = text.replace(",", "").strip()
    if text in ("-", "0", "0 B"):
        return 0
    m = re.match(r"([0-9.]+)\s*(\S+)", text)
    scale = {"B": 1, "KB": 1024, "MB": 1024 ** 2}
    return float(m.group(1)) * scale[m.group(2)]


NS = [2, 64, 4096, 262144, 4194304, 16777216]
FAMILY = ["SgdMomentum", "AdaGrad", "AdaDelta", "Adam", "AdamW"]
FAMILY_STREAMS = {"SgdMomentum": 6, "AdaGrad": 6, "AdaDelta": 8, "Adam": 8, "AdamW": 8}
KNOWN = sorted({f"{k} N={n}" for k in FAMILY for n in (4096, 16777216)} | {f"float Plain N={n}" for n in NS} | {f"{t} {k} N={n}" for n in (4096, 16777216) for t, k in
               (("float", "Momentum"), ("float", "Centered"), ("double", "Plain"))})


def full_name(shown, seen):
    """BenchmarkDotNet may shorten a parameter ("float(...)77216 [25]"); cases run in alphabetical order."""
    m = re.match(r"(.*)\(\.\.\.\)(.*) \[(\d+)\]$", shown)
    if not m:
        return shown
    candidates = [k for k in KNOWN if k.startswith(m.group(1)) and k.endswith(m.group(2)) and len(k) == int(m.group(3))]
    index = seen.get(shown, 0)
    seen[shown] = index + 1
    return candidates[index]


def load(folder, name, key=lambda row, seen: full_name(row["Case"], seen)):
    """Rows of a class's CSV report by (case, method); key names the case (the Case parameter unless given)."""
    rows = {}
    for path in glob.glob(os.path.join(folder, f"*.{name}-report.csv")):
        seen = {}
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                rows[(key(row, seen.setdefault(row["Method"], {})), row["Method"])] = row
    return rows


def main(folder):
    rows = load(folder, "UpdateSweep")
    rows.update(load(folder, "UpdateThreadsSweep"))
    threads = load(folder, "ThreadsSweep")
    rows.update({k: v for k, v in threads.items() if k[1] == "GeneratedThreads2"})
    cases = []
    for case, _ in rows:
        if case not in cases:
            cases.append(case)
    key = lambda c: (c.split()[0] != "float", ["Plain", "Momentum", "Centered"].index(c.split()[1]), int(c.split("N=")[1]))
    methods = ["Generated", "GeneratedThreads2", "HandWritten", "Naive", "TensorPrimitives", "TorchSharp1", "TorchSharp2", "Stream"]
    print("| Case | Variant | ns/step | GB/s | Allocated | vs hand-written | of stream | × faster than Torch 1T | × faster than Torch 2T |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for case in sorted(cases, key=key):
        t = {m: ns(rows[(case, m)]["Mean"]) for m in methods if (case, m) in rows}
        for m in methods:
            if (case, m) not in rows:
                continue
            r = rows[(case, m)]
            gbs = r.get("GB/s", "-")
            stream = rows.get((case, "Stream"), {}).get("GB/s", "-")
            of_stream = f"{float(gbs) / float(stream):.2f}" if gbs not in ("-", "") and stream not in ("-", "") and m != "Stream" else ""
            hand = f"{t['HandWritten'] / t[m]:.2f}" if "HandWritten" in t else ""
            t1 = f"{t['TorchSharp1'] / t[m]:,.0f}" if "TorchSharp1" in t and not m.startswith("Torch") else ""
            t2 = f"{t['TorchSharp2'] / t[m]:,.0f}" if "TorchSharp2" in t and not m.startswith("Torch") else ""
            alloc = r.get("Allocated", "-")
            print(f"| {case} | {m} | {t[m]:,.1f} | {gbs} | {alloc} | {hand} | {of_stream} | {t1} | {t2} |")

    # UpdateThreads = 1 and 2 in one class (ThreadsSweep), at the sizes where the setting applies.
    tcases = sorted({c for c, _ in threads}, key=lambda c: int(c.split("N=")[1]))
    if tcases:
        print()
        print("| Case | UpdateThreads = 1 ns/step | UpdateThreads = 2 ns/step | 1 → 2 threads |")
        print("| --- | ---: | ---: | ---: |")
        for case in tcases:
            if (case, "GeneratedThreads1") in threads and (case, "GeneratedThreads2") in threads:
                one, two = ns(threads[(case, "GeneratedThreads1")]["Mean"]), ns(threads[(case, "GeneratedThreads2")]["Mean"])
                print(f"| {case} | {one:,.1f} | {two:,.1f} | {one / two:.2f}× |")

    family = load(folder, "FamilySweep")
    if not family:
        return
    print()
    print("| Optimizer | N | Variant | ns/step | GB/s | Allocated | vs hand-written | × faster than Torch 1T |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    fcases = []
    for case, _ in family:
        if case not in fcases:
            fcases.append(case)
    for case in sorted(fcases, key=lambda c: (FAMILY.index(c.split()[0]), int(c.split("N=")[1]))):
        kind, n = case.split()[0], int(case.split("N=")[1])
        t = {m: ns(family[(case, m)]["Mean"]) for m in ("HandWritten", "Generated", "TorchSharp1") if (case, m) in family}
        for m in ("Generated", "HandWritten", "TorchSharp1"):
            if m not in t:
                continue
            streams = FAMILY_STREAMS[kind] - (1 if m == "TorchSharp1" else 0)  # TorchSharp does not zero g
            gbs = n * 4 * streams / t[m]
            hand = f"{t['HandWritten'] / t[m]:.2f}" if "HandWritten" in t else ""
            torch = f"{t['TorchSharp1'] / t[m]:,.1f}" if "TorchSharp1" in t and m != "TorchSharp1" else ""
            print(f"| {kind} | {n:,} | {m} | {t[m]:,.1f} | {gbs:.1f} | {family[(case, m)].get('Allocated', '-')} | {hand} | {torch} |")

    # One class per size; several launches, each with its own placement: the median over all their iterations (the mean
    # follows any slow launch; the median holds while fewer than half of them are slow).
    guard = load(folder, "GuardSweepScalars", key=lambda row, _: 2)
    guard.update(load(folder, "GuardSweepArray", key=lambda row, _: 64))
    if guard:
        print()
        print("| N | hand-written ns (median) | generated ns (median) | without the guard ns (median) | generated vs hand-written | without the guard vs hand-written | hand-written four vectors an iteration ns (median) | generated vs it |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in sorted({n for n, _ in guard}):
            if all((n, m) in guard for m in ("HandWritten", "Guarded", "Unguarded")):
                h, g, u = (ns(guard[(n, m)]["Median"]) for m in ("HandWritten", "Guarded", "Unguarded"))
                unrolled = ns(guard[(n, "HandWrittenUnrolled")]["Median"]) if (n, "HandWrittenUnrolled") in guard else None
                extra = f"{unrolled:.2f} | {unrolled / g:.2f}" if unrolled else " | "
                print(f"| {n} | {h:.2f} | {g:.2f} | {u:.2f} | {h / g:.2f} | {h / u:.2f} | {extra} |")

    rules = load(folder, "UserRuleSweep")
    if not rules:
        return
    print()
    print("| Rule | N | built-in ns/step | user rule ns/step | Allocated (user) | user vs built-in (t_built-in / t_user) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    rcases = []
    for case, _ in rules:
        if case not in rcases:
            rcases.append(case)
    for case in sorted(rcases, key=lambda c: (c.split()[0], int(c.split("N=")[1]))):
        if (case, "BuiltIn") not in rules or (case, "UserRule") not in rules:
            continue
        built, user = ns(rules[(case, "BuiltIn")]["Mean"]), ns(rules[(case, "UserRule")]["Mean"])
        kind, n = case.split()[0], int(case.split("N=")[1])
        print(f"| {kind} | {n:,} | {built:,.1f} | {user:,.1f} | {rules[(case, 'UserRule')].get('Allocated', '-')} | {built / user:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "BenchmarkDotNet.Artifacts/results")

#!/usr/bin/env python3
"""Checks BenchmarkDotNet JSON results against bench/allocation-budgets.json (bytes allocated per operation).

Usage: check-budgets.py [--budgets FILE] [--list-over] <results dir> [<results dir> ...]

Each results dir is one BenchmarkDotNet run (its BenchmarkDotNet.Artifacts/results). With several, a benchmark's
figure is the lowest of its runs: BenchmarkDotNet counts the bytes every thread of the process allocated while the
benchmark ran, so a one-off allocation elsewhere in the process (tiering, a runtime timer, more of both on a loaded
machine) can land in one run's figure, but code that allocates on every operation is over budget in every run.
.ci/run re-runs only the benchmarks over budget, so a one-off cannot fail CI and a real allocation still does.

Exits 1 when a budgeted benchmark allocates more than its budget or has no result at all. With --list-over it prints
the BenchmarkDotNet filter of each benchmark over budget (one a line) and exits 0.
"""
import argparse
import glob
import json
import os
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--budgets", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "allocation-budgets.json"))
parser.add_argument("--list-over", action="store_true")
parser.add_argument("results", nargs="+")
args = parser.parse_args()

budgets = {k: v for k, v in json.load(open(args.budgets)).items() if not k.startswith("_")}

measured = {}
runs = {}
for results_dir in args.results:
    for path in glob.glob(os.path.join(results_dir, "*-report-full.json")):
        for bench in json.load(open(path)).get("Benchmarks", []):
            key = f'{bench["Namespace"]}.{bench["Type"]}.{bench["Method"]}'
            memory = bench.get("Memory") or {}
            if "BytesAllocatedPerOperation" in memory:
                value = memory["BytesAllocatedPerOperation"]
                measured[key] = min(value, measured.get(key, value))
                runs.setdefault(key, []).append(value)


def within(value, budget):
    # The smallest object on 64-bit .NET is 24 bytes, so a per-operation figure below 8 B cannot be an allocation made
    # by every operation: it is a one-off (a runtime timer, tiering) divided over millions of operations.
    return value <= budget or (budget == 0 and value < 8)


if args.list_over:
    for name, budget in sorted(budgets.items()):
        key = name[len("WARN-ON-FAIL_"):] if name.startswith("WARN-ON-FAIL_") else name
        if key in measured and not within(measured[key], budget) and not name.startswith("WARN-ON-FAIL_"):
            print(key)
    sys.exit(0)

failed = False
for name, budget in sorted(budgets.items()):
    warn_only = name.startswith("WARN-ON-FAIL_")
    key = name[len("WARN-ON-FAIL_"):] if warn_only else name
    if key not in measured:
        print(f"MISSING  {key}: no result (budget {budget} B)")
        failed = failed or not warn_only
        continue
    value = measured[key]
    ok = within(value, budget)
    history = "" if len(runs[key]) == 1 else f" (lowest of {len(runs[key])} runs: {', '.join(str(v) for v in runs[key])} B)"
    print(f"{'ok      ' if ok and value <= budget else ('ok*     ' if ok else ('WARN    ' if warn_only else 'OVER    '))}{key}: {value} B allocated per operation (budget {budget} B){history}")
    if not ok and not warn_only:
        failed = True

print("(ok* = below one object per operation: a one-off allocation spread over the run, not a per-operation one)")
sys.exit(1 if failed else 0)

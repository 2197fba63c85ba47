#!/usr/bin/env python3
"""Checks BenchmarkDotNet JSON results against bench/allocation-budgets.json (bytes allocated per operation).

Usage: check-budgets.py <BenchmarkDotNet.Artifacts/results dir> [budgets.json]
Exits 1 when a budgeted benchmark allocates more than its budget or has no result at all.
"""
import glob
import json
import os
import sys

results_dir = sys.argv[1]
budgets_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "allocation-budgets.json")
budgets = {k: v for k, v in json.load(open(budgets_path)).items() if not k.startswith("_")}

measured = {}
for path in glob.glob(os.path.join(results_dir, "*-report-full.json")):
    for bench in json.load(open(path)).get("Benchmarks", []):
        key = f'{bench["Namespace"]}.{bench["Type"]}.{bench["Method"]}'
        memory = bench.get("Memory") or {}
        if "BytesAllocatedPerOperation" in memory:
            measured[key] = memory["BytesAllocatedPerOperation"]

failed = False
for name, budget in sorted(budgets.items()):
    warn_only = name.startswith("WARN-ON-FAIL_")
    key = name[len("WARN-ON-FAIL_"):] if warn_only else name
    if key not in measured:
        print(f"MISSING  {key}: no result (budget {budget} B)")
        failed = failed or not warn_only
        continue
    value = measured[key]
    # The smallest object on 64-bit .NET is 24 bytes, so a per-operation figure below 8 B cannot be an allocation made
    # by every operation: it is a one-off (a runtime timer, tiering) divided over millions of operations.
    ok = value <= budget or (budget == 0 and value < 8)
    print(f"{'ok      ' if ok and value <= budget else ('ok*     ' if ok else ('WARN    ' if warn_only else 'OVER    '))}{key}: {value} B allocated per operation (budget {budget} B)")
    if not ok and not warn_only:
        failed = True

print("(ok* = below one object per operation: a one-off allocation spread over the run, not a per-operation one)")
sys.exit(1 if failed else 0)

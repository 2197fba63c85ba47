#!/usr/bin/env python3
"""Turns the raw output of bench/run-all.sh into one markdown section and checks it.

Usage: summarize-run.py <results-dir> [--readme bench/README.md]

Exits non-zero when a step's output is missing or does not parse, or when any step saw an error (failed streams,
failed h2load requests, a non-zero grpc-status, an unacknowledged push). The soak's RSS bound is reported, not
enforced: it is a measurement, and the short mode is too short to have a minute 2.
"""
import json
import math
import re
import sys
from pathlib import Path

BEGIN = "<!-- bench/run-all.sh results: begin -->"
END = "<!-- bench/run-all.sh results: end -->"
TARGETS = [("sidecar-aot", "sidecar, Native AOT"), ("floor", "floor (pass-through)"),
           ("typical", "typical (generated types)"), ("sidecar-jit", "sidecar, JIT")]

problems = []


def jsonl(path):
    if not path.exists():
        problems.append(f"missing {path.name}")
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def mean(values):
    return sum(values) / len(values) if values else float("nan")


def median(values):
    if not values:
        return float("nan")
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def fmt(value, digits=0):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def throughput(d):
    rows = jsonl(d / "throughput.jsonl")
    by = {}
    for r in rows:
        by.setdefault(r["label"], []).append(r)
        if r["errors"] > 0 or r["streams"] == 0:
            problems.append(f"throughput {r['label']}: {r['errors']} errors, {r['streams']} streams")
    out = {}
    for label, _ in TARGETS:
        rs = by.get(label, [])
        if not rs:
            problems.append(f"throughput: no result for {label}")
            continue
        if any(r.get(key) is None for r in rs for key in ("serverBytesPerStream", "serverCpuUsPerStream")):
            problems.append(f"throughput {label}: a run has no server allocation or CPU figure (its /metrics did not answer)")
        out[label] = {
            # Median over rounds: one round disturbed by a neighbour on the shared cores moves it least.
            "rounds": len(rs), "rate": median([r["streamsPerSecond"] for r in rs]),
            "rateMin": min(r["streamsPerSecond"] for r in rs), "rateMax": max(r["streamsPerSecond"] for r in rs),
            "errors": sum(r["errors"] for r in rs),
            "p50": median([r["streamP50Us"] for r in rs]), "p99": median([r["streamP99Us"] for r in rs]),
            "rhP99": mean([r["requestHeadersP99Us"] for r in rs]),
            "alloc": median([r["serverBytesPerStream"] for r in rs if r.get("serverBytesPerStream") is not None]),
            "cpu": median([r["serverCpuUsPerStream"] for r in rs if r.get("serverCpuUsPerStream") is not None]),
        }
    return out


def metric(path, name):
    """A sample's value from a Prometheus text file, or None."""
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def h2load(d):
    """Per target: every round's requests/s, latency and server CPU per request; the median round is reported."""
    out = {}
    for label, _ in TARGETS:
        runs = sorted(d.glob(f"h2load-{label}-r*.txt"))
        if not runs:
            problems.append(f"h2load: no output for {label}")
            continue
        rounds = []
        for text_path in runs:
            run = text_path.stem
            text = text_path.read_text()
            finished = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", text)
            requests = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", text)
            if not finished or not requests:
                problems.append(f"{run}: output does not parse")
                continue
            succeeded, failed, errored, timeout = (int(requests.group(i)) for i in (4, 5, 6, 7))
            latencies = []
            log = d / f"{run}.tsv"
            if log.exists():
                for line in log.read_text().splitlines():
                    parts = line.split("\t")
                    if len(parts) >= 3 and parts[1] == "200":
                        latencies.append(int(parts[2]))
            latencies.sort()
            headers_path = d / f"{run}.headers"
            grpc_ok = "grpc-status: 0" in (headers_path.read_text().lower() if headers_path.exists() else "")
            if succeeded == 0 or failed or errored or timeout or not grpc_ok:
                problems.append(f"{run}: {succeeded} succeeded, {failed} failed, {errored} errored, {timeout} timed out, grpc-status 0: {grpc_ok}")
            cpu_before = metric(d / f"{run}.metrics-before", "process_cpu_seconds_total")
            cpu_after = metric(d / f"{run}.metrics-after", "process_cpu_seconds_total")
            if cpu_before is None or cpu_after is None or succeeded == 0:
                problems.append(f"{run}: no server CPU reading")
                cpu = float("nan")
            else:
                cpu = (cpu_after - cpu_before) * 1e6 / succeeded
            rounds.append({"rate": float(finished.group(2)), "succeeded": succeeded, "failed": failed + errored + timeout,
                           "p50": nearest_rank(latencies, 50), "p99": nearest_rank(latencies, 99), "cpu": cpu})
        if not rounds:
            continue
        out[label] = {"rounds": len(rounds), "rate": median([r["rate"] for r in rounds]),
                      "rateMin": min(r["rate"] for r in rounds), "rateMax": max(r["rate"] for r in rounds),
                      "succeeded": sum(r["succeeded"] for r in rounds), "failed": sum(r["failed"] for r in rounds),
                      "p50": median([r["p50"] for r in rounds]), "p99": median([r["p99"] for r in rounds]),
                      "cpu": median([r["cpu"] for r in rounds])}
    return out


def samples(path):
    if not path.exists():
        problems.append(f"missing {path.name}")
        return []
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            rows.append((int(parts[0]) / 1000, int(parts[1]), float(parts[2])))
    return rows


def hold(d):
    rows = jsonl(d / "hold.jsonl")
    if not rows:
        return None
    r = rows[0]
    target = r.get("peakInFlight", 0)
    series = samples(d / "hold-samples.txt")
    # From the first to the last sample where the server itself reported (nearly) all of the streams open: how long,
    # and how many were open at least and on average in between (replacing a finished stream takes a moment).
    at_target = [t for t, _, open_ in series if open_ >= 0.99 * target and target > 0]
    plateau = (max(at_target) - min(at_target)) if at_target else 0
    window = [o for t, _, o in series if at_target and min(at_target) <= t <= max(at_target)]
    err = (d / "hold.err").read_text().strip() if (d / "hold.err").exists() else ""
    if r["errors"] > 0 or r["streams"] == 0:
        problems.append(f"hold: {r['errors']} errors, {r['streams']} streams ({err})")
    return {"peak": target, "serverPeak": max((o for _, _, o in series), default=0), "plateau": plateau,
            "windowMin": min(window, default=0), "windowMean": mean(window) if window else 0,
            "streams": r["streams"], "errors": r["errors"], "rssMax": max((k for _, k, _ in series), default=0) / 1024,
            "rhP99": r["requestHeadersP99Us"], "bodyP99": r["responseBodyP99Us"], "bodyP50": r.get("responseBodyP50Us")}


def histogram(path, name):
    buckets = {}
    totals = {}
    if not path.exists():
        problems.append(f"missing {path.name}")
        return buckets, totals
    for line in path.read_text().splitlines():
        m = re.match(rf'{name}_bucket{{le="([^"]+)"}} (\S+)', line)
        if m:
            buckets[m.group(1)] = float(m.group(2))
            continue
        m = re.match(r'(dotnet_gc_pause_seconds_total|dotnet_gc_pause_unsampled_total|process_allocated_bytes_total) (\S+)', line)
        if m:
            totals[m.group(1)] = float(m.group(2))
        m = re.match(r'dotnet_gc_collections_total{generation="(\d)"} (\S+)', line)
        if m:
            totals[f"gen{m.group(1)}"] = float(m.group(2))
    return buckets, totals


def cfg_soak_seconds(d):
    return json.loads((d / "config.json").read_text())["soakDuration"]


def rss_late(series):
    """RSS from minute 2 to the end: the KiB samples, their spread over the minimum, and the trend. A leak shows as a
    trend, a sawtooth as spread: the means of the first and last thirds (MiB) and the least-squares slope (MiB/min)."""
    late = [k for t, k, _ in series if t >= 120]
    spread = (max(late) - min(late)) / min(late) if late else None
    points = [(t / 60, k / 1024) for t, k, _ in series if t >= 120]
    trend = None
    if len(points) >= 6:
        n = len(points)
        mt = sum(t for t, _ in points) / n
        mk = sum(k for _, k in points) / n
        slope = sum((t - mt) * (k - mk) for t, k in points) / sum((t - mt) ** 2 for t, _ in points)
        third = n // 3
        trend = (sum(k for _, k in points[:third]) / third, sum(k for _, k in points[-third:]) / third, slope)
    return late, spread, trend


def soak(d):
    rows = jsonl(d / "soak.jsonl")
    max_rows = jsonl(d / "soak-max.jsonl")
    if not rows or not max_rows:
        return None
    r = rows[0]
    series = samples(d / "soak-samples.txt")
    late, spread, trend = rss_late(series)
    floor_rows = jsonl(d / "soak-floor.jsonl") if (d / "soak-floor.jsonl").exists() else []
    floor_max = jsonl(d / "soak-floor-max.jsonl") if (d / "soak-floor-max.jsonl").exists() else []
    floor_series = samples(d / "soak-floor-samples.txt") if (d / "soak-floor-samples.txt").exists() else []
    floor_late, floor_spread, floor_trend = rss_late(floor_series)
    if floor_rows and (floor_rows[0]["errors"] > 0 or floor_rows[0]["streams"] == 0):
        problems.append(f"soak of the floor: {floor_rows[0]['errors']} errors, {floor_rows[0]['streams']} streams")
    before, tb = histogram(d / "soak-metrics-before.txt", "dotnet_gc_pause_duration_seconds")
    after, ta = histogram(d / "soak-metrics-after.txt", "dotnet_gc_pause_duration_seconds")
    if not after or "+Inf" not in after:
        problems.append("soak: no GC pause histogram in the sidecar's /metrics")
    bounds = sorted((float("inf") if k == "+Inf" else float(k), after[k] - before.get(k, 0)) for k in after)
    count = bounds[-1][1] if bounds else 0

    def pause_percentile(p):
        # The bucket's upper bound: the histogram says "at most this", not an interpolated guess.
        for bound, cumulative in bounds:
            if count and cumulative >= p / 100 * count:
                return bound * 1000
        return float("nan")

    paused = ta.get("dotnet_gc_pause_seconds_total", 0) - tb.get("dotnet_gc_pause_seconds_total", 0)
    err = (d / "soak.err").read_text().strip() if (d / "soak.err").exists() else ""
    if r["errors"] > 0 or r["streams"] == 0:
        problems.append(f"soak: {r['errors']} errors, {r['streams']} streams ({err})")
    return {
        "max": max_rows[0]["streamsPerSecond"], "target": json.loads((d / "soak-target.json").read_text())["targetRate"] if (d / "soak-target.json").exists() else None,
        "completedRate": r["streams"] / r["elapsedSeconds"] if r.get("elapsedSeconds") else None, "streams": r["streams"],
        "errors": r["errors"], "seconds": r.get("elapsedSeconds"), "samples": len(series),
        "rssFirst": series[0][1] / 1024 if series else None,
        "rssLateMin": min(late) / 1024 if late else None, "rssLateMax": max(late) / 1024 if late else None,
        "spread": spread, "trend": trend,
        "floor": None if not floor_rows or not floor_late else {
            "max": floor_max[0]["streamsPerSecond"] if floor_max else None, "streams": floor_rows[0]["streams"],
            "errors": floor_rows[0]["errors"], "rate": floor_rows[0]["streams"] / floor_rows[0]["elapsedSeconds"],
            "rssLateMin": min(floor_late) / 1024, "rssLateMax": max(floor_late) / 1024, "spread": floor_spread, "trend": floor_trend,
        },
        "p99": r["streamP99Us"], "p999": r.get("streamP999Us"),
        "gcCount": count, "gcUnsampled": ta.get("dotnet_gc_pause_unsampled_total", 0) - tb.get("dotnet_gc_pause_unsampled_total", 0),
        "gc50": pause_percentile(50), "gc99": pause_percentile(99), "gc999": pause_percentile(99.9), "gcMax": pause_percentile(100),
        "pausedShare": paused / r["elapsedSeconds"] if r.get("elapsedSeconds") else None,
        "gen0": ta.get("gen0", 0) - tb.get("gen0", 0), "gen1": ta.get("gen1", 0) - tb.get("gen1", 0), "gen2": ta.get("gen2", 0) - tb.get("gen2", 0),
        "allocPerStream": (ta.get("process_allocated_bytes_total", 0) - tb.get("process_allocated_bytes_total", 0)) / max(1, r["streams"]),
    }


def propagation(d):
    rows = jsonl(d / "propagation.jsonl")
    if not rows:
        return None
    r = rows[0]
    rss = json.loads((d / "propagation-rss.json").read_text()) if (d / "propagation-rss.json").exists() else {}
    check = json.loads((d / "propagation-check.json").read_text()) if (d / "propagation-check.json").exists() else {}
    if rss.get("notReady"):
        problems.append(f"propagation: {rss['notReady']} of {r['sidecars']} sidecar processes did not start (see prop-*.log)")
    if r["incomplete"] or r["rounds"] == 0 or check.get("sidecarsOnPushedGeneration") != r["sidecars"]:
        problems.append(f"propagation: {r['incomplete']} incomplete pushes, {check.get('sidecarsOnPushedGeneration')} of {r['sidecars']} sidecars on the pushed generation")
    r["rssTotalMiB"] = rss.get("rssTotalKiB", 0) / 1024
    r["onGeneration"] = check.get("sidecarsOnPushedGeneration")
    return r


def startup(d):
    path = d / "startup.md"
    if not path.exists():
        problems.append("missing startup.md")
        return []
    rows = [line for line in path.read_text().splitlines() if line.startswith("| Native AOT") or line.startswith("| JIT")]
    if len(rows) != 2:
        problems.append("startup: output does not parse")
    return rows


def pause(ms):
    return "> 1000" if ms == float("inf") else fmt(ms, 2)


def render(d):
    meta = json.loads((d / "meta.json").read_text())
    cfg = json.loads((d / "config.json").read_text())
    end = json.loads((d / "meta-end.json").read_text()) if (d / "meta-end.json").exists() else {}
    tp, h2, hd, sk, pr, su = throughput(d), h2load(d), hold(d), soak(d), propagation(d), startup(d)
    floor = tp.get("floor", {})
    steps = (d / "steps.txt").read_text().strip() if (d / "steps.txt").exists() else ""
    h2v = (d / "h2load-version.txt").read_text().strip() if (d / "h2load-version.txt").exists() else "h2load"
    lines = [
        f"### Generated by `bash bench/run-all.sh` on {meta['date']}",
        "",
        f"Commit `{meta['commit']}`{' (with uncommitted changes)' if meta.get('dirty') else ''}; {meta['nproc']} cores ({meta['cpu']}), "
        f"{meta['memGiB']} GiB, .NET SDK {meta['dotnet']}, {h2v}. Load average {' '.join(meta['loadStart'])} at the start and "
        f"{' '.join(end.get('loadEnd', ['?']))} at the end (1/5/15 min): the machine was shared with other builds, so compare "
        "ratios within this run. Client and servers share the cores. Per-step start times and load averages:",
        "",
        "```",
        steps,
        "```",
        "",
        f"**Side-by-side throughput** (`bench/run-load.sh {cfg['loadArgs']}`: closed loop, 4 HTTP/2 connections, "
        "request_headers → response_headers → half-close; each round starts with the next target; median over rounds "
        "(streams/s, p50, p99) with the range of the rounds' streams/s, median allocation; allocation read from each server's "
        "`/metrics` at the start and end of the measured phase, as is the server's CPU time (user + system): the load "
        "generator shares the two cores and bounds the closed loop, so what a stream costs the server itself is read "
        "from its CPU time per stream):",
        "",
        "| target | rounds | streams/s (median; rounds min – max) | × floor | errors | stream p50 / p99 (µs) | p99 × floor | server bytes allocated per stream | × floor | server CPU µs per stream | × floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, name in TARGETS:
        t = tp.get(label)
        if not t:
            continue
        lines.append(f"| {name} | {t['rounds']} | {fmt(t['rate'])} ({fmt(t['rateMin'])} – {fmt(t['rateMax'])}) | {t['rate'] / floor['rate']:.2f} | {t['errors']} | "
                     f"{fmt(t['p50'])} / {fmt(t['p99'])} | {t['p99'] / floor['p99']:.2f} | {fmt(t['alloc'])} | "
                     f"{t['alloc'] / floor['alloc']:.2f} | {fmt(t['cpu'], 1)} | {t['cpu'] / floor['cpu']:.2f} |" if floor else f"| {name} | {fmt(t['rate'])} |")
    lines += [
        "",
        "**h2load, headers-only** (one HTTP/2 request = one ext_proc exchange: request_headers (20 headers) + "
        "response_headers in gRPC frames, `h2load -D <s> --warm-up-time <s> -t 1 -c 4 -m 64 -d body -H "
        "'content-type: application/grpc' -H 'te: trailers'`; "
        f"{cfg.get('h2Rounds', 1)} round(s) with the targets alternated, a fresh server per run, median over rounds "
        "(requests/s with the rounds' range, latency, server CPU); latency per request from h2load's `--log-file`; "
        "server CPU (user + system) from its `/metrics` at the end of the warm-up and at the end, per succeeded request; "
        "every run's first request checked with curl for `grpc-status: 0`):",
        "",
        "| target | rounds | requests/s (median; rounds min – max) | × floor | succeeded | failed | latency p50 / p99 (µs) | p99 × floor | server CPU µs per request | × floor |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    h2floor = h2.get("floor")
    for label, name in TARGETS:
        h = h2.get(label)
        if h:
            ratio = (lambda key: f"{h[key] / h2floor[key]:.2f}" if h2floor and h2floor[key] else "n/a")
            lines.append(f"| {name} | {h['rounds']} | {fmt(h['rate'])} ({fmt(h['rateMin'])} – {fmt(h['rateMax'])}) | {ratio('rate')} | "
                         f"{h['succeeded']:,} | {h['failed']} | {fmt(h['p50'])} / {fmt(h['p99'])} | {ratio('p99')} | "
                         f"{fmt(h['cpu'], 2)} | {ratio('cpu')} |")
    if hd:
        lines += [
            "",
            f"**{cfg['holdStreams']:,} concurrent streams on one AOT sidecar** ({cfg['holdConnections']} HTTP/2 connections; "
            f"each stream: request_headers, response_headers, {cfg['holdChunks']} SSE body chunks {cfg['holdInterval']} s apart, "
            f"half-close, then the next stream; opened over {cfg['holdRamp']} s, run for {cfg['holdDuration']} s in all, then "
            "drained; the sidecar sampled every second):",
            "",
            "| figure | value |",
            "|---|---|",
            f"| streams open at once (client / sidecar's `canary_extproc_streams_open`) | {hd['peak']:,} / {fmt(hd['serverPeak'])} |",
            f"| from the first to the last second the sidecar had ≥ 99 % of them open | {hd['plateau']:.0f} s (open streams in that window: at least {fmt(hd['windowMin'])}, mean {fmt(hd['windowMean'])}) |",
            f"| streams completed / errors | {hd['streams']:,} / {hd['errors']} |",
            f"| peak RSS | {hd['rssMax']:.0f} MiB |",
            f"| request_headers p99 | {fmt(hd['rhP99'])} µs |",
            f"| response_body p50 / p99 | {fmt(hd['bodyP50'])} / {fmt(hd['bodyP99'])} µs |",
        ]
    if sk:
        within = "n/a" if sk["spread"] is None else f"{sk['spread'] * 100:.1f} % ({'within' if sk['spread'] <= 0.10 else 'OUTSIDE'} the 10 % bound)"
        lines += [
            "",
            f"**Soak** (open loop, 4 SSE chunks per stream, at 70 % of the {fmt(sk['max'])} streams/s measured closed-loop "
            "on the same sidecar just before; RSS sampled every 10 s; GC pauses from the sidecar's "
            "`dotnet_gc_pause_duration_seconds` histogram, as bucket upper bounds):",
            "",
            "| figure | value |",
            "|---|---|",
            f"| target rate / streams issued / errors | {fmt(sk['target'])} streams/s for {cfg['soakDuration']} s / {sk['streams']:,} / {sk['errors']} |",
            f"| time until the last stream completed / completed per second over that time | {fmt(sk['seconds'])} s / {fmt(sk['completedRate'])} streams/s (below the target rate means a queue built up: see p99) |",
            f"| RSS first sample / minute 2 to end (min – max) | {fmt(sk['rssFirst'])} MiB / {fmt(sk['rssLateMin'])} – {fmt(sk['rssLateMax'])} MiB |",
            f"| RSS spread from minute 2 to the end | {within} |",
            f"| RSS trend from minute 2 (mean of the first third → last third; least-squares slope) | "
            + ("n/a" if sk["trend"] is None else f"{sk['trend'][0]:.1f} → {sk['trend'][1]:.1f} MiB; {sk['trend'][2]:+.2f} MiB/min") + " |",
        ]
        if sk["floor"]:
            f = sk["floor"]
            lines += [
                f"| the floor under the same soak ({fmt(f['rate'])} streams/s, 70 % of its {fmt(f['max'])}; {f['streams']:,} streams, {f['errors']} errors): RSS minute 2 to end / spread / trend | "
                f"{fmt(f['rssLateMin'])} – {fmt(f['rssLateMax'])} MiB / {f['spread'] * 100:.1f} % / "
                + ("n/a" if f["trend"] is None else f"{f['trend'][0]:.1f} → {f['trend'][1]:.1f} MiB, {f['trend'][2]:+.2f} MiB/min") + " |",
            ]
        lines += [
            f"| stream p99 / p99.9 | {fmt(sk['p99'])} / {fmt(sk['p999'])} µs |",
            f"| collections of gen0 / gen1 / gen2 (a gen2 collection counts in all three) | {sk['gen0']:.0f} / {sk['gen1']:.0f} / {sk['gen2']:.0f} |",
            f"| GC pause p50 / p99 / p99.9 / max (≤ bucket bound; > 1000 is the overflow bucket) | {pause(sk['gc50'])} / {pause(sk['gc99'])} / {pause(sk['gc999'])} / {pause(sk['gcMax'])} ms ({sk['gcCount']:.0f} sampled, {sk['gcUnsampled']:.0f} between samples) |",
            f"| time paused in GC | {fmt(None if sk['pausedShare'] is None else sk['pausedShare'] * 100, 2)} % |",
            f"| server bytes allocated per stream | {fmt(sk['allocPerStream'])} |",
        ]
    if pr:
        lines += [
            "",
            f"**Rollback propagation** over {pr['sidecars']} AOT sidecar processes on loopback (`DOTNET_GCHeapHardLimit` "
            "64 MiB each), through the analyzer's `TablePusher` (parallel, one channel per sidecar per push), from the "
            "decision to the last acknowledgement, alternating rolled-back and active tables:",
            "",
            "| sidecars | rounds | p50 | p99 | max | incomplete | sidecars on the last generation | RSS of all sidecars |",
            "|---|---|---|---|---|---|---|---|",
            f"| {pr['sidecars']} | {pr['rounds']} | {pr['p50Ms']:.1f} ms | {pr['p99Ms']:.1f} ms | {pr['maxMs']:.1f} ms | {pr['incomplete']} | {pr['onGeneration']} | {pr['rssTotalMiB']:.0f} MiB |",
        ]
    if su:
        lines += ["", "**Start-up** (`bench/startup.sh`):", "", "| build | time to ready | RSS after 5 s idle |", "|---|---|---|", *su]
    return "\n".join(lines) + "\n"


def main():
    d = Path(sys.argv[1])
    section = render(d)
    (d / "summary.md").write_text(section)
    print(section)
    if "--readme" in sys.argv:
        readme = Path(sys.argv[sys.argv.index("--readme") + 1])
        text = readme.read_text()
        block = f"{BEGIN}\n{section}{END}"
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        readme.write_text(text)
        print(f"updated {readme}")
    if problems:
        print("run-all: problems:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)


main()

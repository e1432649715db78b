#!/usr/bin/env python3
"""Reads what `make bench` measured and prints every figure with its peer and ratio.

    summarize.py OUT_DIR [--results Benchmarks/RESULTS.md]

OUT_DIR holds lab/ (Lab/scenarios/bench.sh), encoding/ (ordo-one benchmark JMH export and
bench-data sizes.json), e2e/ (scripts/e2e.sh), optionally profile/ (callgrind outputs),
pipeline/ (scripts/pipeline.py, issue 15), conntable/ (Lab/scenarios/conntable.sh, issue 14) and
labpipeline/ (Lab/scenarios/pipeline.sh, issue 15). Any part of issue 6 that is missing is reported
as not run. With --results, the same tables are written as Markdown (the file the README quotes);
the connection table's section sits between two HTML comments and is kept as it is when only the
other parts ran, and only it is replaced when only it ran.
"""
import csv
import glob
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime, timezone


def read_env(path):
    values = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    key, value = line.rstrip("\n").split("=", 1)
                    values[key] = value
    return values


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def median(values):
    return statistics.median(values) if values else float("nan")


def fmt_s(seconds):
    if seconds != seconds:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms"


def fmt_ratio(value):
    return "n/a" if value != value else f"{value:.2f}x"


def fmt_int(value):
    return f"{int(value):,}"


def verdict(ok):
    return "met" if ok else "MISSED"


class Report:
    def __init__(self):
        self.sections = []  # (title, intro, header, rows)
        self.targets = []  # (target, figure, verdict)
        self.notes = []

    def table(self, title, header, rows, intro=""):
        self.sections.append((title, intro, header, rows))

    def text(self):
        out = []
        for title, intro, header, rows in self.sections:
            out.append(f"== {title} ==")
            if intro:
                out.append(intro)
            widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)] if rows else []
            if rows:
                out.append("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
                for row in rows:
                    out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
            out.append("")
        out.append("== Targets (issue 6) ==")
        for target, figure, result in self.targets:
            out.append(f"  [{result}] {target}: {figure}")
        for note in self.notes:
            out.append(f"note: {note}")
        return "\n".join(out)

    def markdown(self, header_lines):
        out = list(header_lines)
        for title, intro, header, rows in self.sections:
            out.append(f"## {title}\n")
            if intro:
                out.append(intro + "\n")
            if rows:
                out.append("| " + " | ".join(header) + " |")
                out.append("| " + " | ".join("---" for _ in header) + " |")
                for row in rows:
                    out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
                out.append("")
        out.append("## Targets\n")
        out.append("| target | figure | |")
        out.append("| --- | --- | --- |")
        for target, figure, result in self.targets:
            out.append(f"| {target} | {figure} | {result} |")
        out.append("")
        for note in self.notes:
            out.append(f"- {note}")
        return "\n".join(out) + "\n"


def read_part(report, directory, env_file, tsv_file, what):
    """A part's settings and rows, or (None, None) with a note when the part did not run."""
    env = read_env(os.path.join(directory, env_file))
    rows = read_tsv(os.path.join(directory, tsv_file))
    if not env or not rows:
        report.notes.append(f"{what}: not run or failed (nothing in {directory})")
        return None, None
    return env, rows


def lab_part(report, directory):
    env, timings = read_part(report, directory, "bench.env", "timings.tsv", "collection in the lab")
    if env is None:
        return
    restore = read_env(os.path.join(directory, "restore.env"))
    services, dests = int(env["services"]), int(env["destinations_per_service"])
    by_tool = {}
    for row in timings:
        if row["rc"] != "0":
            report.notes.append(f"lab: {row['tool']} failed in round {row['round']} (exit {row['rc']})")
            continue
        by_tool.setdefault(row["tool"], []).append(row)

    def med(tool, field="wall"):
        return median([float(r[field]) for r in by_tool.get(tool, [])])

    def cpu(tool):
        return median([float(r["user"]) + float(r["sys"]) for r in by_tool.get(tool, [])])

    names = {
        "dump": "ipvs-push dump",
        "dump-nd": "ipvs-push dump --no-destinations",
        "ipvsadm": "ipvsadm -Ln --stats --exact",
        "node-curl": "curl node_exporter /metrics",
        "start-ipvs-push": "ipvs-push --help (process start)",
        "start-ipvsadm": "ipvsadm --version (process start)",
        "start-curl": "curl --version (process start)",
    }
    rows = []
    for tool in ["dump", "dump-nd", "ipvsadm", "node-curl", "start-ipvs-push", "start-ipvsadm", "start-curl"]:
        if tool not in by_tool:
            continue
        rows.append([
            names[tool], len(by_tool[tool]), fmt_s(med(tool)), fmt_s(cpu(tool)),
            fmt_ratio(med(tool) / med("ipvsadm")), fmt_ratio(med(tool) / med("node-curl")),
        ])
    rounds = env.get("rounds", "?")
    report.table(
        f"Collection in the IPVS lab: {fmt_int(services)} services x {dests} real servers",
        ["command (whole process)", "runs", "median wall", "median CPU", "vs ipvsadm", "vs node_exporter scrape"],
        rows,
        f"One user-mode-Linux guest (kernel {env.get('kernel', '?')}, {int(env.get('guest_mem_kB', 0)) // 1024} MiB), "
        f"table restored by `ipvsadm -R` in {restore.get('restore_seconds', '?')} s; {rounds} rounds, order rotating "
        "every round; output to /dev/null. CPU is user+sys of the command (for the scrape: of curl, not of "
        "node_exporter). Process start in the guest is slow, hence the process-start rows.",
    )

    # Per-pair ratios, round by round (each pair measured within one round).
    pair_rows = []
    rounds_seen = sorted({int(r["round"]) for r in timings})

    def per_round(tool):
        return {int(r["round"]): float(r["wall"]) for r in by_tool.get(tool, [])}

    for a, b in [("dump", "ipvsadm"), ("dump", "node-curl"), ("dump-nd", "ipvsadm"), ("ipvsadm", "node-curl")]:
        ra, rb = per_round(a), per_round(b)
        ratios = [ra[r] / rb[r] for r in rounds_seen if r in ra and r in rb and rb[r] > 0]
        if ratios:
            pair_rows.append([
                f"{names[a]} / {names[b]}", len(ratios), fmt_ratio(median(ratios)),
                fmt_ratio(min(ratios)), fmt_ratio(max(ratios)),
            ])
    report.table("Per-round ratios (same round, side by side)", ["pair", "rounds", "median", "min", "max"], pair_rows)

    # In-process scrapes and memory.
    scrapes = read_tsv(os.path.join(directory, "scrapes.tsv"))
    servers = {row["server"]: row for row in read_tsv(os.path.join(directory, "servers.tsv"))}
    outputs = {row["tool"]: row for row in read_tsv(os.path.join(directory, "outputs.tsv"))}
    serve_times = [float(r["seconds"]) for r in scrapes if r["server"] == "ipvs-push serve" and r["status"] == "200"]
    node_times = [float(r["seconds"]) for r in scrapes if r["server"] == "node_exporter" and r["status"] == "200"]
    serve_t, node_t = median(serve_times), median(node_times)
    rows = []
    for name, times in [("ipvs-push serve", serve_times), ("node_exporter", node_times)]:
        server = servers.get(name, {})
        output = outputs.get(f"{name} scrape", {})
        ticks, clk = int(server.get("cpu_ticks", 0) or 0), int(server.get("clk_tck", 100) or 100)
        rows.append([
            name, len(times), fmt_s(median(times)), fmt_ratio(median(times) / node_t),
            fmt_int(output.get("ipvs_series", 0)), fmt_int(output.get("bytes", 0)),
            f"{int(server.get('VmHWM_kB', 0)) / 1024:.1f} MiB", f"{int(server.get('VmRSS_kB', 0)) / 1024:.1f} MiB",
            f"{ticks / clk:.2f} s",
        ])
    scrapes_per = env.get("scrapes", "?")
    report.table(
        "Scrapes from one long-lived client, and memory after them",
        ["server", "scrapes", "median scrape", "vs node_exporter", "IPVS series", "bytes", "VmHWM", "VmRSS",
         "CPU total"],
        rows,
        f"{scrapes_per} scrapes each, interleaved, by one python process (no process start in the measurement), "
        "text format, no compression. VmHWM (peak RSS) and CPU are read from /proc after those scrapes.",
    )

    rows = []
    for tool, row in outputs.items():
        rows.append([tool, fmt_int(row["bytes"]), fmt_int(row["lines"]), fmt_int(row["ipvs_series"])])
    report.table(
        "What each reads (one untimed run)",
        ["output", "bytes", "lines", "IPVS series (ipvsadm: service + real-server lines)"],
        rows,
        "ipvsadm prints 5 counters per line; node_exporter's ipvs collector reads /proc/net/ip_vs (3 gauges per "
        "real server, no per-service counters) and /proc/net/ip_vs_stats (totals).",
    )

    phases_table(report, directory)
    rusage_table(report, directory)
    strace_table(report, directory)

    dump, ipvsadm, node = med("dump"), med("ipvsadm"), med("node-curl")
    report.targets.append((
        "collection <= 0.25x ipvsadm's time", f"dump {fmt_s(dump)} vs ipvsadm {fmt_s(ipvsadm)} = "
        f"{fmt_ratio(dump / ipvsadm)}", verdict(dump <= 0.25 * ipvsadm)))
    report.targets.append((
        "collection faster than the node_exporter scrape",
        f"dump {fmt_s(dump)} vs curl scrape {fmt_s(node)} = {fmt_ratio(dump / node)}; serve scrape "
        f"{fmt_s(serve_t)} vs node_exporter scrape {fmt_s(node_t)} = {fmt_ratio(serve_t / node_t)}",
        verdict(dump < node)))
    serve_hwm = int(servers.get("ipvs-push serve", {}).get("VmHWM_kB", 0) or 0)
    node_hwm = int(servers.get("node_exporter", {}).get("VmHWM_kB", 0) or 0)
    if serve_hwm and node_hwm:
        report.targets.append((
            "serve peak RSS <= 1/4 of node_exporter's",
            f"{serve_hwm / 1024:.1f} MiB vs {node_hwm / 1024:.1f} MiB = {fmt_ratio(serve_hwm / node_hwm)}",
            verdict(serve_hwm * 4 <= node_hwm)))
    dump_series = int(outputs.get("ipvs-push dump", {}).get("ipvs_series", 0) or 0)
    node_series = int(outputs.get("node_exporter scrape", {}).get("ipvs_series", 0) or 0)
    ipvsadm_values = int(outputs.get("ipvsadm -Ln --stats --exact", {}).get("ipvs_series", 0) or 0) * 5
    report.targets.append((
        "while reading more data than either",
        f"dump {fmt_int(dump_series)} series vs node_exporter {fmt_int(node_series)} series, ipvsadm "
        f"{fmt_int(ipvsadm_values)} values", verdict(dump_series > node_series and dump_series > ipvsadm_values)))


def phases_table(report, directory):
    rows = []
    for name, label in [("phases.tsv", "all series"), ("phases-nd.tsv", "--no-destinations"),
                        ("phases-families.tsv", "all series, through the metric families")]:
        data = read_tsv(os.path.join(directory, name))
        if not data:
            continue
        first, later = data[0], data[1:] or data[:1]
        for title, picked in [("first", [first]), ("later (median)", later)]:
            values = {k: median([float(r[k]) for r in picked]) for k in ["collect", "families", "render", "write"]}
            total = sum(values.values())
            rows.append([
                label, title, fmt_s(values["collect"]), fmt_s(values["families"]), fmt_s(values["render"]),
                fmt_s(values["write"]), fmt_s(total), fmt_int(first["samples"]),
            ])
    if rows:
        report.table(
            "The phases of a dump inside one process (collect-phases, in the guest)",
            ["series", "round", "collect (netlink)", "metric set", "render", "write", "total", "samples"], rows,
            "The same module calls as `ipvs-push dump` (IPVSCollector.collectBlocking, then IPVSMetrics.document "
            "rendered in 256 KiB pieces, each written to /dev/null; render and write are summed over the pieces), "
            "three rounds in one process: the first pays for the socket and for fresh memory (every first touch of "
            "a page is a fault, and a fault is a host round trip in user-mode Linux); later rounds are what a "
            "long-running process pays per collection. The last rows go through IPVSMetrics.families first (the "
            "metric set column), as `run` and the senders do.",
        )


def rusage_table(report, directory):
    data = read_tsv(os.path.join(directory, "rusage.tsv"))
    if not data:
        return
    rows = [[r["command"], fmt_s(float(r["wall"])), f"{int(r['maxrss_kB']) / 1024:.1f} MiB", fmt_int(r["minflt"]),
             fmt_int(r["majflt"])] for r in data]
    report.table("One run each with its resource usage (getrusage of the child)",
                 ["command", "wall", "peak RSS", "minor faults", "major faults"], rows)


def strace_table(report, directory):
    rows = []
    for tool, path in [("ipvs-push dump", "strace.dump.txt"), ("ipvsadm -Ln --stats --exact", "strace.ipvsadm.txt")]:
        full = os.path.join(directory, path)
        if not os.path.exists(full):
            continue
        calls = {}
        total = 0
        with open(full) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 5 and fields[0][0].isdigit() and not line.startswith("100.00"):
                    name = fields[-1]
                    count = int(fields[3])
                    calls[name] = count
                elif line.startswith("100.00"):
                    total = int(fields[3]) if len(fields) >= 5 else int(fields[2])
        top = sorted(calls.items(), key=lambda item: -item[1])[:5]
        rows.append([tool, fmt_int(total or sum(calls.values())), ", ".join(f"{n} {fmt_int(c)}" for n, c in top)])
    if rows:
        report.table("System calls of one run (strace -c -f)", ["command", "system calls", "most frequent"], rows,
                     "IPVS has no dump of every real server: both tools send one destination dump per service.")


def jmh_results(directory):
    """name -> {metric: p50, ...} from the ordo-one JMH export."""
    results = {}
    for path in glob.glob(os.path.join(directory, "*.jmh.json")):
        with open(path) as f:
            for element in json.load(f):
                name = element["benchmark"].split(".", 3)[-1].replace("_", " ")
                metrics = {"throughput": element["primaryMetric"]["scorePercentiles"]["50.0"]}
                for metric, value in element.get("secondaryMetrics", {}).items():
                    metrics[metric] = value["scorePercentiles"]["50.0"]
                results[name] = metrics
    return results


def find(results, prefix):
    for name, metrics in results.items():
        if name.startswith(prefix) or name.replace(" ", "_").startswith(prefix.replace(" ", "_")):
            return metrics
    return None


def metric(metrics, *keys):
    for key in keys:
        for name, value in metrics.items():
            if name.lower().startswith(key.lower()):
                return value
    return float("nan")


def encoding_part(report, directory):
    sizes_path = os.path.join(directory, "sizes.json")
    results = jmh_results(directory)
    if not results or not os.path.exists(sizes_path):
        report.notes.append(f"encoding on the host: not run or failed (nothing in {directory})")
        return
    with open(sizes_path) as f:
        sizes = json.load(f)
    samples = sizes["samples"]
    order = [
        ("metric set: IPVSMetrics.families", None),
        ("render: text 0.0.4", None),
        ("render: OpenMetrics", None),
        ("parse: text 0.0.4", None),
        ("remote-write 1.0: encode+snappy", "snappy alone: 1.0 bodies"),
        ("remote-write 2.0: encode+snappy", "snappy alone: 2.0 bodies"),
        ("snappy alone: 1.0 bodies", None),
        ("snappy alone: 2.0 bodies", None),
        ("gzip: text 0.0.4", None),
    ]
    rows = []
    wall = {}
    cpu_seconds = {}
    for name, peer in order:
        metrics = find(results, name)
        if metrics is None:
            continue
        # JMH export: times in microseconds, counts as counts.
        seconds = metric(metrics, "Time (wall clock)") / 1e6
        cpu = metric(metrics, "Time (total CPU)") / 1e6
        wall[name] = seconds
        cpu_seconds[name] = cpu
        mallocs = metric(metrics, "Malloc (total)")
        rows.append([
            name, fmt_s(seconds), fmt_s(cpu), f"{samples / seconds / 1e6:.2f} M/s", fmt_int(mallocs),
            f"{mallocs / samples:.3f}",
        ])
    report.table(
        f"Encoding on the host: {fmt_int(sizes['services'])} services x {sizes['destinations_per_service']} real "
        f"servers = {fmt_int(samples)} samples in memory",
        ["benchmark (ordo-one, median)", "wall", "CPU", "samples/s (wall)", "allocations", "allocations/sample"],
        rows,
        "Remote write is steady state (the encoder has seen the series once, as from the second collection on), "
        f"1 shard, 2,000 samples per request ({sizes['requests_v1']} requests). \"snappy alone\" compresses the "
        "same uncompressed request bodies with libsnappy and nothing else.",
    )
    # CPU time to the nanosecond per steady-state round (bench-data profile, 3 interleaved runs
    # of 20 rounds each; the median run), when run.sh measured it; else ordo-one's 10 ms ticks.
    precise = {}
    for row in read_tsv(os.path.join(directory, "cpu.tsv")):
        precise.setdefault(row["work"], []).append(float(row["cpu"]))
    rows = []
    for version in ["1.0", "2.0"]:
        enc = wall.get(f"remote-write {version}: encode+snappy")
        floor = wall.get(f"snappy alone: {version} bodies")
        enc_cpu = cpu_seconds.get(f"remote-write {version}: encode+snappy")
        floor_cpu = cpu_seconds.get(f"snappy alone: {version} bodies")
        cpu_source = "10 ms ticks"
        if precise.get(f"encode-{version}") and precise.get(f"snappy-{version}"):
            enc_cpu, floor_cpu = median(precise[f"encode-{version}"]), median(precise[f"snappy-{version}"])
            cpu_source = "process CPU clock"
        if enc and floor:
            cpu_ratio = enc_cpu / floor_cpu if enc_cpu and floor_cpu else float("nan")
            rows.append([f"remote-write {version}", fmt_s(enc), fmt_s(floor), fmt_ratio(enc / floor),
                         f"{fmt_s(enc_cpu)} vs {fmt_s(floor_cpu)} = {fmt_ratio(cpu_ratio)}"])
            # The encoder packs and compresses a collection's batches on every core, snappy alone
            # runs on one: wall time is what a collection waits for, CPU time what it costs.
            on_wall, on_cpu = enc <= 2 * floor, cpu_ratio <= 2
            report.targets.append((
                f"remote-write {version} encode+compress within 2x of snappy alone",
                f"{fmt_s(enc)} vs {fmt_s(floor)} = {fmt_ratio(enc / floor)} wall (batches on every core, snappy alone "
                f"on one); CPU time {fmt_s(enc_cpu)} vs {fmt_s(floor_cpu)} = {fmt_ratio(cpu_ratio)} ({cpu_source})",
                verdict(on_wall and on_cpu) if on_wall == on_cpu
                else ("met on wall time, missed on CPU time" if on_wall else "met on CPU time, missed on wall time")))
    report.table("Encode+compress vs snappy alone on the same output bytes",
                 ["", "encode+snappy (wall)", "snappy alone (wall)", "ratio (wall)", "CPU time, ratio"], rows,
                 "Wall times are ordo-one's medians: the encoder packs and compresses a collection's batches on "
                 "every core, snappy alone runs on one. CPU time is the process CPU clock (every thread) per "
                 "steady-state round, median of 3 runs of 20 rounds (bench-data profile).")

    b = sizes["bytes"]
    idle = sizes.get("bytes_idle", {})
    rows = []
    for name in ["text", "openmetrics", "text gzip", "remote-write 1.0 protobuf", "remote-write 1.0 snappy",
                 "remote-write 2.0 protobuf", "remote-write 2.0 snappy"]:
        row = [name, fmt_int(b[name]), f"{b[name] / samples:.2f}", fmt_ratio(b[name] / b["remote-write 1.0 snappy"])]
        if idle:
            row += [f"{idle[name] / samples:.2f}", fmt_ratio(idle[name] / idle["remote-write 1.0 snappy"])]
        rows.append(row)
    headers = ["encoding", "bytes", "bytes/sample", "vs remote-write 1.0 snappy"]
    if idle:
        headers += ["bytes/sample, idle counters", "idle: vs 1.0 snappy"]
    report.table("Bytes per sample", headers, rows,
                 "What goes on the wire: the snappy rows for remote write, gzip for text (Pushgateway, scrapes). "
                 "The idle columns encode the same services with every counter, rate and connection count at 0 "
                 "(as the lab's restored table reads): what is left is mostly labels, timestamps and metadata.")
    v1, v2 = b["remote-write 1.0 snappy"], b["remote-write 2.0 snappy"]
    p1, p2 = b["remote-write 1.0 protobuf"], b["remote-write 2.0 protobuf"]
    idle_text = ""
    if idle:
        i1, i2 = idle["remote-write 1.0 snappy"], idle["remote-write 2.0 snappy"]
        idle_text = f"; idle counters {i1 / samples:.2f} vs {i2 / samples:.2f} = {i1 / i2:.2f}x"
    report.targets.append((
        "remote-write 2.0 at least 3x fewer bytes per sample than 1.0",
        f"on the wire (snappy) {v1 / samples:.2f} vs {v2 / samples:.2f} bytes/sample = {v1 / v2:.2f}x fewer{idle_text}; "
        f"before compression {p1 / samples:.1f} vs {p2 / samples:.1f} = {p1 / p2:.2f}x", verdict(v1 >= 3 * v2)))


def e2e_part(directory):
    """One-shot `send` against curl (issues 6 and 15): a Report of its own, or None when not run."""
    env = read_env(os.path.join(directory, "e2e.env"))
    rows_in = read_tsv(os.path.join(directory, "e2e.tsv"))
    if not env:
        return None
    report = Report()
    by_tool = {}
    for row in rows_in:
        if row["rc"] == "0":
            by_tool.setdefault(row["tool"], []).append(row)
        else:
            report.notes.append(f"end to end: {row['tool']} failed in round {row['round']} (exit {row['rc']})")
    names = {"ipvs-push-send": "ipvs-push send --remote-write (1.0)",
             "curl-import": "curl --data-binary to /api/v1/import/prometheus"}

    def med(tool, f):
        return median([f(r) for r in by_tool.get(tool, [])])

    def client(r):
        return float(r["user"]) + float(r["sys"])

    curl_wall = med("curl-import", lambda r: float(r["wall"]))
    curl_client = med("curl-import", client)
    curl_total = med("curl-import",
                     lambda r: float(r["user"]) + float(r["sys"]) + float(r["server_cpu_seconds"]))
    rows = []
    for tool in ["ipvs-push-send", "curl-import"]:
        if tool not in by_tool:
            continue
        wall = med(tool, lambda r: float(r["wall"]))
        total = med(tool, lambda r: float(r["user"]) + float(r["sys"]) + float(r["server_cpu_seconds"]))
        rows.append([
            names[tool], len(by_tool[tool]), fmt_s(wall), fmt_s(med(tool, client)),
            fmt_s(med(tool, lambda r: float(r["server_cpu_seconds"]))), fmt_s(total), fmt_ratio(wall / curl_wall),
            fmt_ratio(med(tool, client) / curl_client), fmt_ratio(total / curl_total),
        ])
    report.table(
        f"End to end on the host: {fmt_int(env.get('samples', 0))} samples "
        f"({int(env.get('file_bytes', 0)) / 1048576:.0f} MiB of text) to VictoriaMetrics",
        ["client", "runs", "median wall", "client CPU", "VictoriaMetrics CPU", "CPU together", "wall vs curl",
         "client CPU vs curl", "CPU together vs curl"], rows,
        f"{env.get('victoria_metrics_version', '')}, after one untimed import that created the series; "
        f"{fmt_int(env.get('series_in_receiver') or 0)} series in the receiver afterwards. Client CPU is user+sys "
        "of the client process; VictoriaMetrics CPU is what the server spent while handling each request.",
    )
    if "ipvs-push-send" in by_tool and curl_client:
        send_client = med("ipvs-push-send", client)
        report.targets.append(("send: client CPU at most 3x curl's",
                               f"{send_client:.2f} vs {curl_client:.2f} s = {send_client / curl_client:.2f}x",
                               verdict(send_client <= 3 * curl_client)))
    if env.get("remote_write_flag") != "yes":
        report.notes.append(
            "end to end: `ipvs-push send --remote-write` does not exist yet in this build; only curl's import was "
            "timed (the script runs send as soon as the flag exists)")
    return report


PIPELINE_NAMES = {
    "ipvs-push-v1": "`ipvs-push run --textfile-directory` (1.0)",
    "ipvs-push-v1-queue": "`ipvs-push run --textfile-directory` (1.0, `--queue-dir`)",
    "ipvs-push-v2": "`ipvs-push run --textfile-directory` (2.0)",
    "ipvs-push-v2-queue": "`ipvs-push run --textfile-directory` (2.0, `--queue-dir`)",
    "vmagent": "vmagent scraping the same text (1.0)",
    "prometheus-agent": "Prometheus agent mode scraping it (1.0)",
}


def pipeline_part(directory):
    """The pipeline tables and targets (issue 15) as a report of their own, or None when not run."""
    report = Report()
    env, runs = read_part(report, directory, "pipeline.env", "pipeline.tsv", "remote-write pipelines")
    if env is None:
        return None
    document = int(env["document_samples"])
    by_pipeline = {}
    for run in runs:
        complete = (run["rc"] == "0" and int(run["series"]) == document
                    and run["samples_per_series_min"] == run["samples_per_series_max"])
        if complete:
            by_pipeline.setdefault(run["pipeline"], []).append(run)
        else:
            report.notes.append(
                f"remote-write pipelines: {run['pipeline']} round {run['round']} did not deliver every sample "
                f"(exit {run['rc']}, {run['series']} of {document} series, {run['samples_per_series_min']} to "
                f"{run['samples_per_series_max']} samples a series); left out of the table")

    def med(name, field):
        return median([field(r) for r in by_pipeline.get(name, [])])

    def cpu_per_sample(r):
        return float(r["cpu_seconds"]) * 1e6 / int(r["samples_stored"])

    def wire_per_sample(r):
        return int(r["wire_bytes"]) / int(r["samples_stored"])

    def disk_per_sample(r):
        return int(r.get("disk_write_bytes") or 0) / int(r["samples_stored"])

    peer = "vmagent"
    figures = {}
    for name in by_pipeline:
        figures[name] = (med(name, cpu_per_sample), med(name, lambda r: int(r["peak_rss_kib"]) / 1024),
                         med(name, lambda r: int(r["steady_rss_kib"]) / 1024), med(name, wire_per_sample))
    rows = []
    for name in PIPELINE_NAMES:
        if name not in figures:
            continue
        cpu, peak, steady, wire = figures[name]
        ratios = [fmt_ratio(value / figures[peer][index]) if peer in figures else "n/a"
                  for index, value in enumerate((cpu, peak, steady, wire))]
        rows.append([PIPELINE_NAMES[name], len(by_pipeline[name]), f"{cpu:.2f}", f"{peak:,.0f} MiB",
                     f"{steady:,.0f} MiB", f"{wire:.2f}", f"{med(name, disk_per_sample):.2f}"] + ratios)
    report.table(
        f"Remote-write pipelines: {fmt_int(document)} series every {env.get('interval')} s for "
        f"{env.get('cycles')} cycles to VictoriaMetrics",
        ["pipeline", "runs", "CPU us/sample", "peak RSS", "steady RSS", "wire bytes/sample", "disk bytes/sample",
         "CPU vs vmagent",
         "peak vs vmagent", "steady vs vmagent", "bytes vs vmagent"], rows,
        f"The same documents (the IPVS metric set of {fmt_int(env.get('services', 0))} services x "
        f"{env.get('destinations')} real servers, {int(env.get('document_bytes', 0)) / 1048576:.0f} MiB of text, every "
        f"counter moving each cycle) through each pipeline alone, rounds interleaved; VictoriaMetrics and vmagent "
        f"{env.get('vmagent_version', '')}, Prometheus {env.get('prometheus_version', '')}. CPU is the pipeline "
        "process's user+system time over its whole life (start, every cycle, the drain at SIGTERM) per sample "
        "VictoriaMetrics stored; every run counted delivered every series with the same number of samples. Peak RSS "
        "is ru_maxrss, steady RSS the median VmRSS over the second half of the run, wire bytes what "
        "VictoriaMetrics' HTTP listener read (bodies and headers), disk bytes what the pipeline process wrote to "
        "storage while delivering (/proc/PID/io write_bytes, read before SIGTERM: its queue files). The 2.0 rows went to pipeline.py's counting 2.0 receiver "
        "(Debian's VictoriaMetrics and Prometheus predate 2.0), which counted their samples and bytes. Medians over the "
        "runs.")
    if "ipvs-push-v1" in figures and peer in figures:
        cpu, _, steady, wire = figures["ipvs-push-v1"]
        report.targets.append(("remote write: CPU per sample at most 0.5x vmagent's",
                               f"{cpu:.2f} vs {figures[peer][0]:.2f} us/sample = {cpu / figures[peer][0]:.2f}x",
                               verdict(cpu <= 0.5 * figures[peer][0])))
        report.targets.append(("remote write: steady memory at most 0.5x vmagent's",
                               f"{steady:,.0f} vs {figures[peer][2]:,.0f} MiB = {steady / figures[peer][2]:.2f}x",
                               verdict(steady <= 0.5 * figures[peer][2])))
        report.targets.append(("remote write: wire bytes per sample at most vmagent's",
                               f"{wire:.2f} vs {figures[peer][3]:.2f} = {wire / figures[peer][3]:.3f}x",
                               verdict(wire <= figures[peer][3])))
    return report


def profile_part(report, directory):
    files = sorted(glob.glob(os.path.join(directory, "callgrind.*.out")))
    if not files:
        return
    rows = []
    for path in files:
        total = None
        try:
            output = subprocess.run(["callgrind_annotate", "--inclusive=no", path], capture_output=True, text=True,
                                    check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            continue
        for line in output.splitlines():
            if "PROGRAM TOTALS" in line:
                total = int(line.split()[0].replace(",", ""))
        rows.append([os.path.basename(path), fmt_int(total) if total else "?"])
    env = read_env(os.path.join(directory, "bench.env"))
    report.table(f"Instruction counts (callgrind, user space only, {env.get('profile_services', '?')} services)",
                 ["profile", "instructions"], rows,
                 "collect-phases is one collect + metric set + render; see Benchmarks/PROFILE.md for where they go.")


def conntable_part(directory):
    """The connection-table benchmark (Lab/scenarios/conntable.sh): a Report of its own, or None."""
    env = read_env(os.path.join(directory, "conntable.env"))
    timings = read_tsv(os.path.join(directory, "timings.tsv"))
    sizes = read_tsv(os.path.join(directory, "sizes.tsv"))
    if not env or not timings:
        return None
    report = Report()
    names = ["ipvs-push dump --connection-states", "ipvs-push dump", "ipvsadm -Lnc", "cat /proc/net/ip_vs_conn"]
    by_key = {}
    for row in timings:
        if row["rc"] != "0":
            report.notes.append(
                f"conntable: {row['tool']} failed at {fmt_int(row['size'])} entries in round {row['round']} "
                f"(exit {row['rc']})")
            continue
        by_key.setdefault((int(row["size"]), row["tool"]), []).append(row)

    def med(size, tool, field):
        rows = by_key.get((size, tool), [])
        if field == "cpu":
            return median([float(r["user"]) + float(r["sys"]) for r in rows])
        return median([float(r[field]) for r in rows if r[field] != ""])

    rows = []
    for size in sorted({s for s, _ in by_key}):
        cat, ipvsadm = med(size, names[3], "wall"), med(size, names[2], "wall")
        for tool in names:
            if (size, tool) not in by_key:
                continue
            wall = med(size, tool, "wall")
            collect = med(size, tool, "collect_seconds")
            rows.append([
                fmt_int(size), tool, len(by_key[(size, tool)]), fmt_s(wall), fmt_s(med(size, tool, "cpu")),
                fmt_s(collect) if tool.startswith("ipvs-push") else "", f"{wall / size * 1e6:.2f} us",
                f"{med(size, tool, 'maxrss_kB') / 1024:.1f} MiB", fmt_ratio(wall / cat), fmt_ratio(wall / ipvsadm),
            ])
    report.table(
        "Connection table: counting it with --connection-states",
        ["entries", "command (whole process)", "runs", "median wall", "median CPU", "collection (in process)",
         "wall per entry", "peak RSS", "vs cat", "vs ipvsadm -Lnc"],
        rows,
        f"One user-mode-Linux guest (kernel {env.get('kernel', '?')}, {int(env.get('guest_mem_kB', 0)) // 1024} MiB, "
        f"conn_tab_bits {env.get('conn_tab_bits', '?')}), {env.get('services', '?')} UDP services x "
        f"{env.get('destinations_per_service', '?')} real servers, one entry per datagram from a distinct source "
        "(Lab/guest/conn-flood.c), one real server removed afterwards (its entries orphaned); up to "
        f"{env.get('rounds', '?')} rounds a size, order rotating every round, each output read through a pipe. "
        "CPU is the child's user+sys (in the guest, the kernel's work for the process counts as user time); peak "
        "RSS is the child's ru_maxrss. The collection column is the dump's own ipvs_collect_duration_seconds.",
    )
    rows = []
    for size in sorted({s for s, _ in by_key}):
        states, plain = med(size, names[0], "wall"), med(size, names[1], "wall")
        states_c, plain_c = med(size, names[0], "collect_seconds"), med(size, names[1], "collect_seconds")
        states_m, plain_m = med(size, names[0], "maxrss_kB"), med(size, names[1], "maxrss_kB")
        rows.append([
            fmt_int(size), fmt_s(states - plain), fmt_s(states_c - plain_c),
            f"{(states_m - plain_m) / 1024:+.1f} MiB", fmt_ratio(states / med(size, names[3], "wall")),
        ])
    report.table(
        "The cost of --connection-states: dump with it minus dump without",
        ["entries", "wall", "collection (in process)", "peak RSS", "dump --connection-states vs cat"], rows)
    rows = []
    for row in sizes:
        rows.append([
            fmt_int(row["size"]), fmt_int(row["listed"]) if row["listed"] else "not read",
            fmt_int(row["counted"]) if row["counted"] else "not counted",
            fmt_int(row["orphaned"]) if row["orphaned"] else "", f"{row['generate_seconds']} s",
            f"{int(row['slab_kB']) / 1024:.0f} MiB",
        ])
    report.table(
        "The tables", ["entries made", "lines of /proc/net/ip_vs_conn", "counted by the dump", "orphaned",
                       "time to make them", "kernel slab (all caches)"], rows)
    return report


LAB_PIPELINE_NAMES = {
    "ipvs-push": "`ipvs-push run --remote-write`",
    "ipvs-push-queue": "`ipvs-push run --remote-write --queue-dir`",
    "node-exporter-vmagent": "node_exporter `--collector.ipvs` + vmagent",
}
LAB_PIPELINE_PEER = "node-exporter-vmagent"


def labpipeline_part(directory):
    """The whole pipeline against the kernel (Lab/scenarios/pipeline.sh, issue 15): a Report, or None."""
    report = Report()
    env, runs = read_part(report, directory, "pipeline.env", "pipeline.tsv", "pipelines in the IPVS lab")
    if env is None:
        return None
    lab = read_env(os.path.join(directory, "lab.env"))
    restore = read_env(os.path.join(directory, "restore.env"))
    cycles = int(env["cycles"])
    by_pipeline = {}
    check_rows = []
    for run in runs:
        fewest, most = int(run["samples_per_series_min"]), int(run["samples_per_series_max"])
        series, stored = int(run["series"]), int(run["samples_stored"])
        whole = run["rc"] == "0" and fewest == most and fewest > 0
        missing = series * most - stored
        # A run that lost samples (a scrape timed out, a batch unsent at the stop) still counts, by
        # the cycles it delivered (samples / series, a fraction): the work of a lost cycle was done
        # and is charged to the ones delivered. A run that failed, or delivered nothing, does not.
        nearly = run["rc"] == "0" and most > 0
        if whole:
            verdict_text = f"every series, {fewest} of {cycles} cycles" if fewest != cycles else "every series, every cycle"
        else:
            verdict_text = (f"INCOMPLETE: {fmt_int(missing)} samples short of {most} a series "
                            f"({run.get('samples_per_series', '?')})")
            report.notes.append(
                f"pipelines in the lab: {run['pipeline']} round {run['round']} did not deliver whole cycles (exit "
                f"{run['rc']}; samples:series {run.get('samples_per_series', '?')}, {fmt_int(missing)} samples short); "
                + ("counted by the cycles it delivered, samples / series = " f"{stored / series:.4f}"
                   if nearly else "left out of the medians"))
        if whole or nearly:
            by_pipeline.setdefault(run["pipeline"], []).append(run)
        check_rows.append([
            LAB_PIPELINE_NAMES.get(run["pipeline"], run["pipeline"]), run["round"], run["order"],
            f"{float(run['cpu_seconds']):.2f} s", run["cpu_by_process"].replace(",", ", ").replace("=", " "),
            fmt_int(series), fmt_int(stored), run.get("samples_per_series", ""), run["new_series"],
            fmt_int(run["left_queued_bytes"]) if run.get("left_queued_bytes") else "", verdict_text,
        ])

    def med(name, field):
        return median([field(r) for r in by_pipeline.get(name, [])])

    def delivered_cycles(r):
        return int(r["samples_stored"]) / int(r["series"])

    def cpu_per_cycle(r):
        return float(r["cpu_seconds"]) / delivered_cycles(r)

    def cpu_per_sample(r):
        return float(r["cpu_seconds"]) * 1e6 / int(r["samples_stored"])

    figures = {}
    for name in by_pipeline:
        figures[name] = {
            "cycle": med(name, cpu_per_cycle), "sample": med(name, cpu_per_sample),
            "peak": med(name, lambda r: int(r["peak_rss_kib"]) / 1024),
            "steady": med(name, lambda r: int(r["steady_rss_kib"]) / 1024),
            "series": med(name, lambda r: int(r["series"])), "ipvs": med(name, lambda r: int(r["ipvs_series"])),
            "wire": med(name, lambda r: int(r["wire_bytes"]) / int(r["samples_stored"])),
        }
    peer = figures.get(LAB_PIPELINE_PEER)

    def ratio(name, key):
        return fmt_ratio(figures[name][key] / peer[key]) if peer else "n/a"

    rows = []
    for name in LAB_PIPELINE_NAMES:
        if name not in figures:
            continue
        f = figures[name]
        delivered = ", ".join(f"{delivered_cycles(r):.6g}" for r in by_pipeline[name])
        rows.append([
            LAB_PIPELINE_NAMES[name], len(by_pipeline[name]), fmt_int(f["series"]), fmt_int(f["ipvs"]), delivered,
            f"{f['cycle']:.3f} s", f"{f['sample']:.2f}", f"{f['peak']:,.0f} MiB", f"{f['steady']:,.0f} MiB",
            f"{f['wire']:.1f}", ratio(name, "cycle"), ratio(name, "sample"), ratio(name, "peak"),
            ratio(name, "series"),
        ])
    services, dests = int(lab.get("services", 0)), lab.get("destinations_per_service", "?")
    report.table(
        f"{fmt_int(services)} services x {dests} real servers from the kernel to VictoriaMetrics every "
        f"{env.get('interval')} s, {cycles} cycles a run",
        ["pipeline", "runs", "series per cycle", "IPVS series", "cycles delivered", "CPU per cycle", "CPU us/sample",
         "peak RSS", "steady RSS", "wire bytes/sample", "CPU/cycle vs node_exporter+vmagent", "us/sample vs",
         "peak RSS vs", "series vs"],
        rows,
        f"One user-mode-Linux guest (kernel {lab.get('kernel', '?')}, {lab.get('guest_cpus', '?')} CPU, "
        f"{int(lab.get('guest_mem_kB', 0)) // 1024} MiB), the table restored by `ipvsadm -R` in "
        f"{restore.get('restore_seconds', '?')} s (no traffic, estimator stopped); one VictoriaMetrics "
        f"{env.get('victoria_metrics_version', '?')} in the guest receives every pipeline (its CPU is charged to none); "
        f"vmagent of the same package, {env.get('node_exporter_version', 'node_exporter ?')}; ipvs-push binary "
        f"sha256 {lab.get('ipvs_push_sha256', '?')}. Each pipeline alone, rounds: {env.get('rounds')}, order rotating. "
        "CPU is user+system of every process of the pipeline over its whole life (os.wait4: start, every cycle, the "
        "drain at SIGTERM), summed, divided by the cycles VictoriaMetrics stored (samples / series: a run stops "
        f"after {cycles} intervals, and a slow cycle pushes the later ones back) or by the samples (us/sample). Series per cycle are everything the pipeline delivers (ipvs-push's own ipvs_push_* series; "
        "vmagent's up and scrape_* series), IPVS series the kernel's figures among them. Peak RSS is each process's "
        "VmHWM, summed; steady RSS the median of the summed VmRSS over the second half of the run; wire bytes what "
        "VictoriaMetrics' listener read (headers and snappy bodies) per sample. Medians over the runs. The guest "
        "counts CPU time by ticks of the host's clock, so time the host gives to other processes while a guest "
        "process runs is charged to that process: the figures move with the host's load (compare the runs below); "
        "the ratios of medians are the comparison.",
    )
    rows = []
    for name in by_pipeline:
        per_process = {}
        for run in by_pipeline[name]:
            cycles_run = delivered_cycles(run)
            for item in run["cpu_by_process"].split(","):
                label, value = item.split("=")
                per_process.setdefault(label, {"cpu": [], "peak": []})["cpu"].append(float(value) / cycles_run)
            for item in run["peak_rss_by_process"].split(","):
                label, value = item.split("=")
                per_process[label]["peak"].append(int(value) / 1024)
        for label, values in per_process.items():
            rows.append([LAB_PIPELINE_NAMES.get(name, name), label, f"{median(values['cpu']):.3f} s",
                         f"{median(values['peak']):,.0f} MiB"])
    report.table("By process", ["pipeline", "process", "CPU per cycle", "peak RSS (VmHWM)"], rows)
    report.table(
        "Every run, and the delivery check",
        ["pipeline", "round", "order", "CPU", "CPU by process", "series", "samples stored",
         "samples a series (samples:series)", "series created", "bytes left queued on disk", "delivered"],
        check_rows,
        "VictoriaMetrics' count_over_time for each series over the run's window: every series with the same number "
        "of samples means every cycle arrived whole. The series were created before the first run by one untimed "
        f"import of an `ipvs-push dump` ({fmt_int(env.get('dump_series', 0))} series) and of a node_exporter scrape "
        f"({fmt_int(env.get('node_exporter_series', 0))} series); \"series created\" counts those a run still created "
        "(the pipelines' own: ipvs_push_*, up and scrape_*). Bytes left queued: what vmagent's persistent queue "
        "(writer minus reader offset) or ipvs-push's --queue-dir (segment bytes after each shard's acknowledgement "
        "cursor) still held after the stop.",
    )
    return report


def section_markdown(name, title, report, env):
    """A part's results between the markers that let a later partial run replace only it."""
    written = (
        f"Written by `make bench` (part {name}) on {env.get('date', '?')}, commit {env.get('commit', '?')}, "
        f"{env.get('host', '')}; that run took {env.get('duration', '?')}. Medians; ratios compare tools "
        "measured side by side in one run.\n\n")
    # A part without targets leaves out the empty targets table.
    body = written + report.markdown([]).replace("## Targets\n\n| target | figure | |\n| --- | --- | --- |\n\n", "")
    body = body.replace("## ", "### ")
    return f"{section_begin(name)}\n## {title}\n\n{body.rstrip()}\n\n{section_end(name)}\n"


def section_begin(name):
    return f"<!-- {name}: written by `make bench` with BENCH_PARTS {name}; kept when other parts run -->"


def section_end(name):
    return f"<!-- /{name} -->"


def kept_section(path, name):
    """The block of part `name` in an existing results file, if any."""
    if not path or not os.path.exists(path):
        return ""
    text = open(path).read()
    begin, end = section_begin(name), section_end(name)
    if begin in text and end in text:
        start = text.index(begin)
        return text[start:text.index(end) + len(end)] + "\n"
    return ""


# The parts whose results are sections of their own in RESULTS.md: (name, title, summarizer).
SECTIONS = [
    ("e2e", "One-shot send against curl (issues 6 and 15)", e2e_part),
    ("pipeline", "Remote-write pipelines against vmagent and Prometheus agent mode (issue 15)", pipeline_part),
    ("conntable", "Connection table (issue 14)", conntable_part),
    ("labpipeline", "The whole pipeline against the kernel in the IPVS lab: `ipvs-push run` against node_exporter + "
     "vmagent (issue 15)", labpipeline_part),
]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    results_path = None
    if "--results" in sys.argv:
        results_path = sys.argv[sys.argv.index("--results") + 1]
    env = read_env(os.path.join(out, "run.env"))
    issue6 = any(os.path.isdir(os.path.join(out, part)) for part in ["lab", "encoding"])
    report = Report()
    if issue6:
        lab_part(report, os.path.join(out, "lab"))
        encoding_part(report, os.path.join(out, "encoding"))
        profile_part(report, os.path.join(out, "lab"))
        print(report.text())
    blocks = []
    for name, title, summarize in SECTIONS:
        directory = os.path.join(out, name)
        section = summarize(directory) if os.path.isdir(directory) else None
        if section:
            print(section.text().replace("\n== Targets (issue 6) ==", "\n== Targets =="))
            blocks.append((name, section_markdown(name, title, section, env)))
        else:
            if os.path.isdir(directory):
                print(f"note: {name}: not run or failed (nothing in {directory})")
            blocks.append((name, kept_section(results_path, name)))
    if results_path:
        if issue6:
            header = [
                "# Benchmark results (issue 6: fast at 10,000 services)\n",
                f"Written by `make bench` on {env.get('date', datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))}"
                f", commit {env.get('commit', '?')}, {env.get('host', '')}; `make bench` took "
                f"{env.get('duration', '?')}. Every figure is a median, and every ratio compares tools measured in the "
                "same run. Absolute times in the lab are inflated by user-mode Linux (system calls and page faults are "
                "host round trips there) and vary from run to run with the host's load; compare the ratios.\n",
            ]
            text = report.markdown(header) + "".join("\n" + block for _, block in blocks if block)
        else:
            # Only sections of their own ran: the other parts' figures stay as they are.
            text = open(results_path).read() if os.path.exists(results_path) else ""
            for name, block in blocks:
                kept = kept_section(results_path, name)
                if kept and block:
                    text = text.replace(kept.rstrip("\n"), block.rstrip("\n"))
                elif block:
                    text = text.rstrip("\n") + "\n\n" + block
        with open(results_path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

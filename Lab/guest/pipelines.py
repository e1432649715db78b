#!/usr/bin/env python3
"""The pipelines of Lab/scenarios/pipeline.sh, run inside the guest (see that scenario's header).

    pipelines.py --ipvs-push BIN --node-exporter BIN --out DIR --work DIR [--cycles 10]
                 [--interval 5] [--rounds 2] [--pipelines ipvs-push,ipvs-push-queue,node-exporter-vmagent]

One VictoriaMetrics receives everything (its CPU is charged to no pipeline). Each run starts the
pipeline's processes as children of this script, lets them run CYCLES intervals, stops them with
SIGTERM (ipvs-push and vmagent first, so they may drain, then node_exporter) and takes every
process's own rusage from os.wait4: user+system CPU over its whole life (start, every cycle, the
drain). Peak RSS is VmHWM, read every second and after the SIGTERM until the process is gone
(ru_maxrss would not do: a child's starts at the RSS of this Python process, which it forked from).
Then it asks VictoriaMetrics what it stored in the run's window, per series (count_values of
count_over_time): the series, how many got each number of samples, their sum. A run
delivered every cycle when every series got the same number of samples; that number is the
cycles delivered, by which the CPU is divided.

The VictoriaMetrics process and its queries are Benchmarks/scripts/pipeline.py's (the host-side
benchmark), so both benchmarks start and ask it the same way.
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Benchmarks", "scripts"))
from pipeline import Victoria, free_port, read_proc_field  # noqa: E402  (the host benchmark's)

PIPELINES = ["ipvs-push", "ipvs-push-queue", "node-exporter-vmagent"]
# Every series each pipeline delivers, and among them the IPVS ones (not the pipeline's own).
SELECTORS = {
    "ipvs-push": ('{__name__=~"ipvs_.+"}', '{__name__=~"ipvs_.+",__name__!~"ipvs_push_.+"}'),
    "node-exporter-vmagent": ('{job="node"}', '{job="node",__name__=~"node_ipvs_.+"}'),
}
SELECTORS["ipvs-push-queue"] = SELECTORS["ipvs-push"]


def log(message):
    print(f"[{time.monotonic():.1f}] pipelines: {message}", file=sys.stderr, flush=True)


def wait_listening(port, process, seconds=120):
    """A TCP connect, not a scrape: node_exporter serves no request before vmagent's first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"pipelines: {process.args[0]} exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"pipelines: nothing listens on port {port} after {seconds} s")


def left_queued(run_dir):
    """Bytes a pipeline left unsent on disk when it stopped, or None without a queue: vmagent's
    persistent queue (writer minus reader offset in each metainfo.json); ipvs-push's --queue-dir
    (per shard, the segment bytes after its acknowledgement cursor: `cursor` holds IPVSRWC1, then
    the segment id and offset, little endian; segments are NNN.seg, Sources/RemoteWrite/ShardLog)."""
    total, found = 0, False
    for directory, _, files in os.walk(os.path.join(run_dir, "vmagent-data")):
        for name in files:
            if name == "metainfo.json":
                found = True
                try:
                    with open(os.path.join(directory, name)) as file:
                        info = json.load(file)
                    total += int(info.get("WriterOffset", 0)) - int(info.get("ReaderOffset", 0))
                except (OSError, ValueError):
                    pass
    for directory, _, files in os.walk(os.path.join(run_dir, "queue")):
        found = True
        segment, offset = -1, 0
        if "cursor" in files:
            with open(os.path.join(directory, "cursor"), "rb") as file:
                cursor = file.read()
            if len(cursor) == 36 and cursor[:8] == b"IPVSRWC1":
                segment = int.from_bytes(cursor[8:16], "little")
                offset = int.from_bytes(cursor[16:24], "little")
        for name in files:
            if not name.endswith(".seg") or not name[:-4].isdigit():
                continue
            size = os.path.getsize(os.path.join(directory, name))
            if int(name[:-4]) > segment:
                total += size
            elif int(name[:-4]) == segment:
                total += max(0, size - offset)
    return total if found else None


def series_lines(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def version(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        return (result.stdout or result.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


class Lab:
    def __init__(self, arguments):
        self.arguments = arguments
        self.interval = arguments.interval
        self.node_port = free_port()  # one port for every run: vmagent's instance label stays the same
        self.node_target = f"127.0.0.1:{self.node_port}"
        self.victoria = Victoria(arguments.work, arguments.out)

    def node_exporter_command(self):
        return [
            self.arguments.node_exporter, "--collector.disable-defaults", "--collector.ipvs",
            "--web.disable-exporter-metrics", f"--web.listen-address={self.node_target}", "--log.level=warn",
        ]

    def import_text(self, text, extra_labels):
        """One untimed import, so that no run pays VictoriaMetrics' creation of the series."""
        query = urllib.parse.urlencode([("extra_label", label) for label in extra_labels])
        request = urllib.request.Request(
            f"{self.victoria.base}/api/v1/import/prometheus?{query}", data=text.encode(), method="POST")
        urllib.request.urlopen(request, timeout=1200).read()

    def create_series(self):
        """The series of both pipelines, created before the first run; returns what each source exposes."""
        started = time.monotonic()
        dump = subprocess.run([self.arguments.ipvs_push, "dump"], capture_output=True, text=True, check=True).stdout
        self.import_text(dump, [])
        with open(os.path.join(self.arguments.out, "logs", "node_exporter-import.log"), "wb") as output:
            node = subprocess.Popen(self.node_exporter_command(), stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_listening(self.node_port, node)
            with urllib.request.urlopen(f"http://{self.node_target}/metrics", timeout=600) as response:
                scrape = response.read().decode()
        finally:
            node.terminate()
            node.wait()
        self.import_text(scrape, ["job=node", f"instance={self.node_target}"])
        self.victoria.flush()
        time.sleep(3)
        return {
            "dump_series": series_lines(dump), "dump_bytes": len(dump.encode()),
            "node_exporter_series": series_lines(scrape), "node_exporter_bytes": len(scrape.encode()),
            "import_seconds": f"{time.monotonic() - started:.1f}",
        }

    def sample_counts(self, expression, at):
        """{samples: series}: how many series of EXPRESSION (count_over_time) got each number of samples."""
        parameters = urllib.parse.urlencode(
            {"query": f'count_values("samples", {expression})', "time": f"{at:.3f}"})
        with urllib.request.urlopen(f"{self.victoria.base}/api/v1/query?{parameters}", timeout=1200) as response:
            result = json.load(response)["data"]["result"]
        return {int(float(item["metric"]["samples"])): int(float(item["value"][1])) for item in result}

    def start(self, name, run_dir, logs):
        """The pipeline's processes, in start order: [(label, Popen)]."""
        write_url = self.victoria.base + "/api/v1/write"
        if name.startswith("ipvs-push"):
            command = [
                self.arguments.ipvs_push, "run", "--interval", f"{self.interval}s", "--remote-write", write_url,
                "--shutdown-grace", "120s", "--log-level", "warning",
            ]
            if name == "ipvs-push-queue":
                command += ["--queue-dir", os.path.join(run_dir, "queue")]
            return [("ipvs-push", subprocess.Popen(command, stdout=logs("ipvs-push"), stderr=subprocess.STDOUT))]
        node = subprocess.Popen(self.node_exporter_command(), stdout=logs("node_exporter"), stderr=subprocess.STDOUT)
        wait_listening(self.node_port, node)
        config = os.path.join(run_dir, "scrape.yml")
        with open(config, "w") as file:
            file.write(
                f"global:\n  scrape_interval: {self.interval}s\n  scrape_timeout: {self.interval}s\n"
                f"scrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['{self.node_target}']\n")
        vmagent = subprocess.Popen(
            [
                "vmagent", f"-promscrape.config={config}", f"-remoteWrite.url={write_url}",
                f"-remoteWrite.tmpDataPath={run_dir}/vmagent-data", f"-httpListenAddr=127.0.0.1:{free_port()}",
                # node_exporter's answer at 10,000 x 3 is 14 MB, close to the 16 MiB default.
                "-promscrape.maxScrapeSize=1GiB", "-loggerLevel=ERROR",
            ],
            stdout=logs("vmagent"), stderr=subprocess.STDOUT)
        return [("node_exporter", node), ("vmagent", vmagent)]

    def run_once(self, name, round_number, order):
        out, cycles, interval = self.arguments.out, self.arguments.cycles, self.interval
        run_dir = os.path.join(self.arguments.work, f"{name}-{round_number}")
        os.makedirs(run_dir)
        log_files = []

        def logs(process):
            log_files.append(open(os.path.join(out, "logs", f"{name}-{round_number}.{process}.log"), "wb"))
            return log_files[-1]

        bytes_before = self.victoria.metric("vm_tcplistener_read_bytes_total")
        created_before = self.victoria.metric("vm_new_timeseries_created_total")
        wall_start = time.time()
        processes = self.start(name, run_dir, logs)
        start = time.monotonic()
        stop_at = start + cycles * interval - interval / 4
        rss = []
        hwm = {}
        while time.monotonic() < stop_at:
            values = [read_proc_field(process.pid, "status", "VmRSS") for _, process in processes]
            for label, process in processes:
                hwm[label] = max(hwm.get(label, 0), read_proc_field(process.pid, "status", "VmHWM") or 0)
            if all(value is not None for value in values):
                rss.append((time.monotonic() - start, sum(values)))
            time.sleep(1)
        usages = {}
        # The senders first (they drain their queues), node_exporter last (vmagent may scrape until it stops).
        # VmHWM is read until the process is gone (ru_maxrss cannot be used: a child's starts at the size of
        # the forking Python process, whose memory the exec left behind).
        for label, process in reversed(processes):
            os.kill(process.pid, signal.SIGTERM)
            while True:
                hwm[label] = max(hwm.get(label, 0), read_proc_field(process.pid, "status", "VmHWM") or 0)
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.1)
            process.returncode = os.waitstatus_to_exitcode(status)
            # Ended by the SIGTERM itself (no handler, as node_exporter): a clean stop here.
            usages[label] = (0 if process.returncode == -signal.SIGTERM else process.returncode, usage)
        stopped = time.monotonic() - start
        queued = left_queued(run_dir)
        for file in log_files:
            file.close()
        time.sleep(2)
        self.victoria.flush()
        wall_end = time.time()
        window = f"[{int(wall_end - wall_start + 1)}s]"
        every, ipvs = SELECTORS[name]
        queried = time.monotonic()
        # Two queries: how many series got each number of samples, for all and for the IPVS series.
        counts = self.sample_counts(f"count_over_time({every}{window})", wall_end)
        ipvs_counts = self.sample_counts(f"count_over_time({ipvs}{window})", wall_end)
        series = sum(counts.values())
        fewest, most = (min(counts), max(counts)) if counts else (0, 0)
        stored = sum(samples * number for samples, number in counts.items())
        ipvs_series = sum(ipvs_counts.values())
        query_seconds = time.monotonic() - queried
        wire = self.victoria.metric("vm_tcplistener_read_bytes_total") - bytes_before
        created = self.victoria.metric("vm_new_timeseries_created_total") - created_before
        steady = [value for at, value in rss if at >= (stop_at - start) / 2]
        with open(os.path.join(out, f"{name}-{round_number}.rss.tsv"), "w") as timeline:
            timeline.write("seconds\trss_kib\n" + "".join(f"{at:.1f}\t{value}\n" for at, value in rss))
        labels = [label for label, _ in processes]
        return {
            "pipeline": name, "round": round_number, "order": order,
            "rc": max(abs(rc) for rc, _ in usages.values()),
            "processes": ",".join(labels),
            "cpu_seconds": f"{sum(u.ru_utime + u.ru_stime for _, u in usages.values()):.3f}",
            "user_seconds": f"{sum(u.ru_utime for _, u in usages.values()):.3f}",
            "system_seconds": f"{sum(u.ru_stime for _, u in usages.values()):.3f}",
            "cpu_by_process": ",".join(f"{label}={usages[label][1].ru_utime + usages[label][1].ru_stime:.3f}"
                                       for label in labels),
            "peak_rss_kib": sum(hwm[label] for label in labels),
            "peak_rss_by_process": ",".join(f"{label}={hwm[label]}" for label in labels),
            "steady_rss_kib": int(statistics.median(steady)) if steady else 0,
            "series": int(series), "ipvs_series": int(ipvs_series), "samples_stored": int(stored),
            "samples_per_series_min": int(fewest), "samples_per_series_max": int(most),
            "samples_per_series": " ".join(f"{samples}:{number}" for samples, number in sorted(counts.items())),
            "new_series": int(created), "left_queued_bytes": "" if queued is None else queued,
            "wire_bytes": int(wire), "run_seconds": f"{stopped:.1f}",
            "query_seconds": f"{query_seconds:.1f}",
        }


COLUMNS = [
    "pipeline", "round", "order", "rc", "processes", "cpu_seconds", "user_seconds", "system_seconds",
    "cpu_by_process", "peak_rss_kib", "peak_rss_by_process", "steady_rss_kib", "series", "ipvs_series",
    "samples_stored", "samples_per_series_min", "samples_per_series_max", "samples_per_series", "new_series",
    "left_queued_bytes", "wire_bytes", "run_seconds", "query_seconds",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ipvs-push", required=True)
    parser.add_argument("--node-exporter", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--interval", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    arguments = parser.parse_args()
    names = [name for name in arguments.pipelines.split(",") if name]
    for name in names:
        if name not in PIPELINES:
            raise SystemExit(f"pipelines: unknown pipeline {name} (known: {', '.join(PIPELINES)})")
    os.makedirs(os.path.join(arguments.out, "logs"), exist_ok=True)
    lab = Lab(arguments)
    try:
        log("creating the series in VictoriaMetrics (one dump and one node_exporter scrape, imported)")
        facts = lab.create_series()
        log(f"created: {facts}")

        def package(name):
            return version(["dpkg-query", "-W", "-f=${Version}", name])

        with open(os.path.join(arguments.out, "pipeline.env"), "w") as env:
            for key, value in facts.items():
                env.write(f"{key}={value}\n")
            env.write(f"cycles={arguments.cycles}\ninterval={arguments.interval}\nrounds={arguments.rounds}\n")
            env.write(f"pipelines={','.join(names)}\n")
            env.write(f"node_exporter_version={version([arguments.node_exporter, '--version'])}\n")
            env.write(f"victoria_metrics_version={package('victoria-metrics')}\n")
            env.write(f"node_exporter_package={package('prometheus-node-exporter')}\n")
        with open(os.path.join(arguments.out, "pipeline.tsv"), "w") as table:
            table.write("\t".join(COLUMNS) + "\n")
            for round_number in range(1, arguments.rounds + 1):
                for position in range(len(names)):
                    name = names[(position + round_number - 1) % len(names)]
                    log(f"round {round_number}: {name}")
                    result = lab.run_once(name, round_number, position + 1)
                    table.write("\t".join(str(result[column]) for column in COLUMNS) + "\n")
                    table.flush()
                    cycles = result["samples_per_series_min"]
                    whole = cycles == result["samples_per_series_max"] and cycles > 0
                    log(f"round {round_number} {name}: CPU {result['cpu_seconds']} s ({result['cpu_by_process']}), "
                        f"{result['series']} series, {cycles}..{result['samples_per_series_max']} samples a series "
                        f"({'every series every cycle' if whole else 'INCOMPLETE'}), peak RSS "
                        f"{result['peak_rss_kib'] // 1024} MiB, rc {result['rc']}, new series {result['new_series']}")
    finally:
        lab.victoria.stop()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The remote-write pipeline benchmark (issue 15): ipvs-push beside vmagent and Prometheus agent mode.

Every pipeline delivers the same documents (`bench-data cycles`: the IPVS metric set of SERVICES x
DESTINATIONS, every counter moving from one document to the next) to one VictoriaMetrics, one
pipeline at a time, rounds interleaved (the order rotates each round):

  ipvs-push-v1        ipvs-push run --textfile-directory (remote write 1.0, queue in memory)
  ipvs-push-v1-queue  the same with --queue-dir (every batch written to disk before it is sent)
  ipvs-push-v2        ipvs-push run with --protocol v2, to a counting 2.0 receiver (below)
  ipvs-push-v2-queue  the same with --queue-dir
  vmagent             vmagent scraping the document over HTTP (-promscrape.maxScrapeSize raised)
  prometheus-agent    prometheus --enable-feature=agent scraping it

A feeder switches the document every INTERVAL seconds, half an interval after each collection of
ipvs-push, by renaming a hard link (no copy): the textfile directory's file for ipvs-push, the HTTP
answer for the scrapers. Each run lasts CYCLES intervals; the pipeline then gets SIGTERM and its
queue may drain (ipvs-push's shutdown grace, Prometheus' flush deadline, vmagent's flush).

Per run: CPU time of the pipeline's process over its whole life (os.wait4's rusage: start, every
cycle, the drain), peak RSS (ru_maxrss), steady RSS (median VmRSS over the second half of the run),
bytes VictoriaMetrics' HTTP listener read (vm_tcplistener_read_bytes_total: bodies and headers), and
what VictoriaMetrics stored for the run's window (count_over_time per series). A run counts as
delivered only when every series of the document is there with the same number of samples (none
lost, none partial); CPU and bytes are divided by the samples stored.

Debian's VictoriaMetrics 1.79 and Prometheus 2.42 predate remote write 2.0, so the 2.0 rows go to
a receiver of this script's own: it reads each request (bytes counted with its headers), unpacks
the snappy body, walks the io.prometheus.write.v2.Request and counts the samples of the document's
families (by each series' __name__, resolved through the request's symbols), and answers 204 with
the X-Prometheus-Remote-Write-*-Written headers. A 2.0 run counts as delivered when the receiver
got a whole number of documents. It needs python3-snappy (Debian).

Every pipeline writes the same series (job="bench", instance=the feeder's address, as the scrapers
label them; ipvs-push gets them as external labels), created by one untimed import before the
first run, so that no run pays VictoriaMetrics' cost of creating 600,000 series.

  pipeline.py --ipvs-push BIN --bench-data BIN --out DIR [--services 10000] [--destinations 3]
              [--cycles 10] [--interval 5] [--rounds 2] [--pipelines a,b,...] [--profile]
--profile runs ipvs-push under `perf record -g` (DIR/NAME-ROUND.perf.data; `perf report -i` it).
Writes DIR/pipeline.tsv (one line per run), DIR/pipeline.env and each run's VmRSS over time
(DIR/NAME-ROUND.rss.tsv).
"""

import argparse
import http.server
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.error
import urllib.request

PIPELINES = ["ipvs-push-v1", "ipvs-push-v1-queue", "ipvs-push-v2", "ipvs-push-v2-queue", "vmagent", "prometheus-agent"]
# The document's series: not ipvs-push's own (ipvs_push_*, ipvs_namespaces) nor the scrapers' (up, scrape_*).
SERIES_SELECTOR = '{job="bench",__name__=~"ipvs_.+",__name__!~"ipvs_push_.+|ipvs_namespaces"}'


def log(message):
    print(f"pipeline: {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_http(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class Feeder:
    """The document of the moment: a hard link in the textfile directory, and the HTTP answer."""

    def __init__(self, documents, textfile_directory):
        self.documents = documents
        self.textfile = os.path.join(textfile_directory, "bench.prom")
        self.current = documents[0]
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.thread = None

    def show(self, index):
        document = self.documents[min(index, len(self.documents) - 1)]
        staging = self.textfile + ".next"
        if os.path.exists(staging):
            os.unlink(staging)
        os.link(document, staging)
        os.replace(staging, self.textfile)
        with self.lock:
            self.current = document

    def start(self, start_time, interval):
        """Document 0 now; document k from start_time + (k - 0.5) x interval on."""
        self.stop_event.clear()
        self.show(0)

        def run():
            index = 1
            while not self.stop_event.wait(max(0.0, start_time + (index - 0.5) * interval - time.monotonic())):
                self.show(index)
                index += 1

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        if self.thread:
            self.thread.join()

    def path(self):
        with self.lock:
            return self.current


def serve_documents(feeder, port):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            path = feeder.path()
            with open(path, "rb") as document:
                size = os.fstat(document.fileno()).st_size
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                self.wfile.flush()
                self.connection.sendfile(document)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Victoria:
    def __init__(self, work, out):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(out, "victoria-metrics.log"), "wb")
        self.process = subprocess.Popen(
            [
                "victoria-metrics", f"-httpListenAddr=127.0.0.1:{self.port}",
                f"-storageDataPath={work}/vm", "-search.latencyOffset=0s", "-retentionPeriod=100y",
                "-search.maxUniqueTimeseries=10000000", "-search.maxQueryDuration=10m", "-loggerLevel=ERROR",
            ],
            stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_http(self.base + "/health"):
            raise SystemExit("pipeline: VictoriaMetrics did not start (see victoria-metrics.log)")

    def metric(self, name):
        with urllib.request.urlopen(self.base + "/metrics", timeout=30) as response:
            total = 0.0
            for line in response.read().decode().splitlines():
                if line.startswith(name + "{") or line.startswith(name + " "):
                    total += float(line.rsplit(" ", 1)[1])
            return total

    def query(self, expression, at):
        parameters = urllib.parse.urlencode({"query": expression, "time": f"{at:.3f}"})
        try:
            with urllib.request.urlopen(f"{self.base}/api/v1/query?{parameters}", timeout=300) as response:
                result = json.load(response)["data"]["result"]
        except urllib.error.HTTPError as error:
            raise SystemExit(f"pipeline: VictoriaMetrics refused {expression}: {error.read().decode()[:500]}")
        return float(result[0]["value"][1]) if result else 0.0

    def flush(self):
        urllib.request.urlopen(self.base + "/internal/force_flush", timeout=60).read()

    def stop(self):
        self.process.terminate()
        self.process.wait()


def varint(data, index):
    result = shift = 0
    while True:
        byte = data[index]
        index += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, index


def fields(data):
    """(field number, value) of a protobuf message: ints for varints, bytes for the rest."""
    index = 0
    while index < len(data):
        key, index = varint(data, index)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, index = varint(data, index)
        elif wire == 1:
            value, index = data[index:index + 8], index + 8
        elif wire == 2:
            length, index = varint(data, index)
            value, index = data[index:index + length], index + length
        elif wire == 5:
            value, index = data[index:index + 4], index + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, value


class Receiver2:
    """A remote-write 2.0 receiver that counts what it gets (see the module's header)."""

    def __init__(self):
        try:
            import snappy
        except ImportError:
            sys.path.append("/usr/lib/python3/dist-packages")
            import snappy
        self.snappy = snappy
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.bytes = 0
        self.samples = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                header_bytes = len(self.requestline) + 2 + sum(len(k) + len(v) + 4 for k, v in self.headers.items()) + 2
                written, counted = receiver.count(body)
                with receiver.lock:
                    receiver.bytes += header_bytes + len(body)
                    receiver.samples += counted
                self.send_response(204)
                self.send_header("X-Prometheus-Remote-Write-Samples-Written", str(written))
                self.send_header("X-Prometheus-Remote-Write-Histograms-Written", "0")
                self.send_header("X-Prometheus-Remote-Write-Exemplars-Written", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self, compressed):
        """All samples of the request, and those of the document's families."""
        request = self.snappy.uncompress(compressed)
        symbols = []
        written = counted = 0
        for number, value in fields(request):
            if number == 4:
                symbols.append(value)
            elif number == 5:
                name = None
                samples = 0
                for inner, part in fields(value):
                    if inner == 1 and name is None:
                        _, at = varint(part, 0)
                        ref, _ = varint(part, at)
                        name = symbols[ref]
                    elif inner == 2:
                        samples += 1
                written += samples
                if name and name.startswith(b"ipvs_") and not name.startswith(b"ipvs_push_") \
                        and name != b"ipvs_namespaces":
                    counted += samples
        return written, counted

    def totals(self):
        with self.lock:
            return self.bytes, self.samples

    def stop(self):
        self.server.shutdown()


def read_proc_field(pid, file, field):
    """The first number of FIELD in /proc/PID/FILE, or None once the process is gone: VmRSS in
    status (KiB), write_bytes in io (what it has written to storage: its queue files)."""
    try:
        with open(f"/proc/{pid}/{file}") as lines:
            for line in lines:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def pipeline_command(name, settings, run_dir):
    """The command line of one pipeline run, and the files it needs."""
    victoria = settings["victoria"]
    target = settings["target"]
    interval = settings["interval"]
    write_url = victoria.base + "/api/v1/write"
    if "-v2" in name:
        write_url = settings["receiver2"].base + "/api/v1/write"
    if name.startswith("ipvs-push"):
        command = [
            # The host has no IPVS: no namespace of its own, a pattern that matches none.
            settings["ipvs_push"], "run", "--no-host-namespace", "--namespace-glob", "/nonexistent/*",
            "--textfile-directory", settings["textfiles"],
            "--remote-write", write_url, "--interval", f"{interval}s", "--shutdown-grace", "120s",
            "--external-label", "job=bench", "--external-label", f"instance={target}", "--log-level", "warning",
        ]
        command += settings.get("ipvs_push_flags", [])
        if "-v2" in name:
            command += ["--protocol", "v2"]
        if name.endswith("-queue"):
            command += ["--queue-dir", os.path.join(run_dir, "queue")]
        return command
    scrape = (
        f"global:\n  scrape_interval: {interval}s\n  scrape_timeout: {interval}s\n"
        f"scrape_configs:\n  - job_name: bench\n    static_configs:\n      - targets: ['{target}']\n")
    if name == "vmagent":
        config = os.path.join(run_dir, "scrape.yml")
        with open(config, "w") as file:
            file.write(scrape)
        return [
            "vmagent", f"-promscrape.config={config}", f"-remoteWrite.url={write_url}",
            f"-remoteWrite.tmpDataPath={run_dir}/vmagent-data", f"-httpListenAddr=127.0.0.1:{free_port()}",
            "-promscrape.maxScrapeSize=1GiB", "-loggerLevel=ERROR",
        ]
    if name == "prometheus-agent":
        config = os.path.join(run_dir, "prometheus.yml")
        with open(config, "w") as file:
            file.write(scrape + f"remote_write:\n  - url: {write_url}\n")
        return [
            "prometheus", "--enable-feature=agent", f"--config.file={config}",
            f"--storage.agent.path={run_dir}/agent-data", f"--web.listen-address=127.0.0.1:{free_port()}",
            "--log.level=error",
        ]
    raise SystemExit(f"pipeline: unknown pipeline {name}")


def run_once(name, round_number, settings, out):
    victoria = settings["victoria"]
    interval = settings["interval"]
    cycles = settings["cycles"]
    run_dir = tempfile.mkdtemp(prefix=f"{name}-", dir=settings["work"])
    command = pipeline_command(name, settings, run_dir)
    if settings.get("profile") and name.startswith("ipvs-push"):
        # Figures of a profiled run include perf's own cost: read its profile, not its row.
        command = ["perf", "record", "-F", "499", "-g", "-o",
                   os.path.join(out, f"{name}-{round_number}.perf.data"), "--"] + command
    receiver_before = settings["receiver2"].totals() if "-v2" in name else None
    bytes_before = victoria.metric("vm_tcplistener_read_bytes_total") if receiver_before is None else 0
    wall_start = time.time()
    start = time.monotonic()
    settings["feeder"].start(start, interval)
    with open(os.path.join(out, f"{name}-{round_number}.log"), "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    samples = []
    # Bytes written to storage while delivering (read before SIGTERM: what a pipeline writes
    # when it stops, ipvs-push's held batches or vmagent's in-memory queue, is not counted).
    disk_written = 0
    stop_at = start + cycles * interval - interval / 4
    while time.monotonic() < stop_at:
        rss = read_proc_field(process.pid, "status", "VmRSS")
        if rss is not None:
            samples.append((time.monotonic() - start, rss))
        disk_written = read_proc_field(process.pid, "io", "write_bytes") or disk_written
        time.sleep(0.25)
    settings["feeder"].stop()
    # os.kill, not Popen.send_signal: that polls first and would reap a pipeline that died early.
    os.kill(process.pid, signal.SIGTERM)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    stopped = time.monotonic() - start
    time.sleep(2)
    if receiver_before is None:
        victoria.flush()
        wire = victoria.metric("vm_tcplistener_read_bytes_total") - bytes_before
        wall_end = time.time()
        window = f"[{int(wall_end - wall_start + 1)}s]"
        per_series = f"count_over_time({SERIES_SELECTOR}{window})"
        stored = victoria.query(f"sum({per_series})", wall_end)
        series = victoria.query(f"count({per_series})", wall_end)
        fewest = victoria.query(f"min({per_series})", wall_end)
        most = victoria.query(f"max({per_series})", wall_end)
    else:
        # 2.0: what the counting receiver got; "series" says whether it was whole documents.
        received_bytes, received_samples = settings["receiver2"].totals()
        wire = received_bytes - receiver_before[0]
        stored = received_samples - receiver_before[1]
        document = settings["document_samples"]
        whole = stored % document == 0
        series, fewest, most = (document if whole else 0), stored // document, stored // document
    steady = [rss for at, rss in samples if at >= (stop_at - start) / 2]
    with open(os.path.join(out, f"{name}-{round_number}.rss.tsv"), "w") as timeline:
        timeline.write("seconds\trss_kib\n" + "".join(f"{at:.2f}\t{rss}\n" for at, rss in samples))
    shutil.rmtree(run_dir, ignore_errors=True)
    return {
        "pipeline": name, "round": round_number, "rc": process.returncode,
        "cpu_seconds": usage.ru_utime + usage.ru_stime, "user_seconds": usage.ru_utime,
        "system_seconds": usage.ru_stime, "peak_rss_kib": usage.ru_maxrss,
        "steady_rss_kib": int(statistics.median(steady)) if steady else 0,
        "wire_bytes": int(wire), "disk_write_bytes": disk_written, "samples_stored": int(stored),
        "series": int(series),
        "samples_per_series_min": int(fewest), "samples_per_series_max": int(most),
        "run_seconds": round(stopped, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ipvs-push", required=True)
    parser.add_argument("--bench-data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--destinations", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--interval", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    parser.add_argument("--profile", action="store_true", help="run ipvs-push under perf record (-F 499 -g)")
    parser.add_argument("--ipvs-push-flag", action="append", default=[], help="another flag for ipvs-push run")
    arguments = parser.parse_args()
    os.makedirs(arguments.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="ipvs-push-pipeline.", dir=os.environ.get("TMPDIR", "/tmp"))
    victoria = None
    try:
        documents_dir = os.path.join(work, "documents")
        textfiles = os.path.join(work, "textfiles")
        os.makedirs(documents_dir)
        os.makedirs(textfiles)
        log(f"generating {arguments.cycles} documents of {arguments.services} x {arguments.destinations}")
        generated = subprocess.run(
            [
                arguments.bench_data, "cycles", "--cycles", str(arguments.cycles), "--interval",
                str(arguments.interval), "--services", str(arguments.services), "--destinations",
                str(arguments.destinations), "--output-dir", documents_dir,
            ],
            check=True, capture_output=True, text=True)
        document_samples = int(generated.stdout.strip())
        documents = [os.path.join(documents_dir, f"cycle-{index}.prom") for index in range(arguments.cycles)]
        feeder = Feeder(documents, textfiles)
        feeder.show(0)
        target_port = free_port()
        server = serve_documents(feeder, target_port)
        target = f"127.0.0.1:{target_port}"
        victoria = Victoria(work, arguments.out)
        # The untimed import that creates every series in VictoriaMetrics.
        labels = urllib.parse.urlencode([("extra_label", "job=bench"), ("extra_label", f"instance={target}")])
        with open(documents[0], "rb") as document:
            request = urllib.request.Request(
                f"{victoria.base}/api/v1/import/prometheus?{labels}", data=document.read(), method="POST")
            urllib.request.urlopen(request, timeout=600).read()
        time.sleep(3)
        versions = {
            "ipvs_push": subprocess.run([arguments.ipvs_push, "--version"], capture_output=True, text=True).stdout.strip(),
            "vmagent": subprocess.run(["dpkg-query", "-W", "-f=${Version}", "victoria-metrics"], capture_output=True,
                                      text=True).stdout,
            "prometheus": subprocess.run(["dpkg-query", "-W", "-f=${Version}", "prometheus"], capture_output=True,
                                         text=True).stdout,
        }
        with open(os.path.join(arguments.out, "pipeline.env"), "w") as env:
            env.write(f"document_samples={document_samples}\n")
            env.write(f"document_bytes={os.path.getsize(documents[0])}\n")
            env.write(f"services={arguments.services}\ndestinations={arguments.destinations}\n")
            env.write(f"cycles={arguments.cycles}\ninterval={arguments.interval}\nrounds={arguments.rounds}\n")
            for key, value in versions.items():
                env.write(f"{key}_version={value}\n")
        settings = {
            "ipvs_push": arguments.ipvs_push, "textfiles": textfiles, "victoria": victoria, "target": target,
            "interval": arguments.interval, "cycles": arguments.cycles, "feeder": feeder, "work": work,
            "profile": arguments.profile, "ipvs_push_flags": arguments.ipvs_push_flag,
            "document_samples": document_samples,
        }
        names = [name for name in arguments.pipelines.split(",") if name]
        if any("-v2" in name for name in names):
            settings["receiver2"] = Receiver2()
        columns = [
            "pipeline", "round", "rc", "cpu_seconds", "user_seconds", "system_seconds", "peak_rss_kib",
            "steady_rss_kib", "wire_bytes", "disk_write_bytes", "samples_stored", "series", "samples_per_series_min",
            "samples_per_series_max", "run_seconds",
        ]
        with open(os.path.join(arguments.out, "pipeline.tsv"), "w") as table:
            table.write("\t".join(columns) + "\n")
            for round_number in range(1, arguments.rounds + 1):
                for position in range(len(names)):
                    name = names[(position + round_number - 1) % len(names)]
                    result = run_once(name, round_number, settings, arguments.out)
                    table.write("\t".join(str(result[column]) for column in columns) + "\n")
                    table.flush()
                    delivered = (
                        result["series"] == document_samples
                        and result["samples_per_series_min"] == result["samples_per_series_max"])
                    per_sample = result["cpu_seconds"] * 1e6 / max(1, result["samples_stored"])
                    log(
                        f"round {round_number} {name}: {per_sample:.2f} us/sample, peak "
                        f"{result['peak_rss_kib'] // 1024} MiB, steady {result['steady_rss_kib'] // 1024} MiB, "
                        f"{result['wire_bytes'] / max(1, result['samples_stored']):.1f} B/sample, "
                        f"{result['disk_write_bytes'] / max(1, result['samples_stored']):.2f} disk B/sample, "
                        f"{result['samples_stored']} samples in {result['series']} series "
                        f"({'all delivered' if delivered else 'INCOMPLETE'}), rc={result['rc']}")
        server.shutdown()
    finally:
        if victoria:
            victoria.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

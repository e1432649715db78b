import Exposition
import Foundation
import TestSupport
import Testing

/// `ipvs-push send` against a real Pushgateway: what the gateway stores must be exactly the
/// input's series and values, with the grouping key's labels added.
@Suite("send: files and standard input to a real Pushgateway", .pushgateway)
struct SendTests {
    /// Every kind of family, label values with spaces, quotes, backslashes, newlines and
    /// non-ASCII text, and the special float values.
    static let textInput = #"""
        # HELP cli_build_seconds Time the build took.
        # TYPE cli_build_seconds gauge
        cli_build_seconds{stage="compile",note="with spaces and \"quotes\"",lang="日本語 ü"} 42.5
        cli_build_seconds{stage="link",note="back\\slash and\nnewline",lang="x"} -0.25
        # HELP cli_tests_total Tests run.
        # TYPE cli_tests_total counter
        cli_tests_total{result="pass"} 1234
        cli_tests_total{result="fail"} 0
        # HELP cli_step_seconds Step durations.
        # TYPE cli_step_seconds histogram
        cli_step_seconds_bucket{step="a",le="0.5"} 1
        cli_step_seconds_bucket{step="a",le="1"} 3
        cli_step_seconds_bucket{step="a",le="+Inf"} 4
        cli_step_seconds_sum{step="a"} 5.75
        cli_step_seconds_count{step="a"} 4
        # TYPE cli_rpc_seconds summary
        cli_rpc_seconds{quantile="0.5"} 0.125
        cli_rpc_seconds{quantile="0.99"} 0.875
        cli_rpc_seconds_sum 12
        cli_rpc_seconds_count 100
        cli_untyped 1e+30
        # TYPE cli_special gauge
        cli_special{kind="inf"} +Inf
        cli_special{kind="ninf"} -Inf
        cli_special{kind="nan"} NaN
        cli_special{kind="tiny"} 5e-324

        """#

    /// The series of ``textInput`` as the gateway must store them (without grouping labels).
    static let textSeries: [PushgatewaySeries: Double] = [
        PushgatewaySeries(
            "cli_build_seconds", ["stage": "compile", "note": "with spaces and \"quotes\"", "lang": "日本語 ü"]): 42.5,
        PushgatewaySeries("cli_build_seconds", ["stage": "link", "note": "back\\slash and\nnewline", "lang": "x"]):
            -0.25,
        PushgatewaySeries("cli_tests_total", ["result": "pass"]): 1234,
        PushgatewaySeries("cli_tests_total", ["result": "fail"]): 0,
        PushgatewaySeries("cli_step_seconds_bucket", ["step": "a", "le": "0.5"]): 1,
        PushgatewaySeries("cli_step_seconds_bucket", ["step": "a", "le": "1"]): 3,
        PushgatewaySeries("cli_step_seconds_bucket", ["step": "a", "le": "+Inf"]): 4,
        PushgatewaySeries("cli_step_seconds_sum", ["step": "a"]): 5.75,
        PushgatewaySeries("cli_step_seconds_count", ["step": "a"]): 4,
        PushgatewaySeries("cli_rpc_seconds", ["quantile": "0.5"]): 0.125,
        PushgatewaySeries("cli_rpc_seconds", ["quantile": "0.99"]): 0.875,
        PushgatewaySeries("cli_rpc_seconds_sum"): 12,
        PushgatewaySeries("cli_rpc_seconds_count"): 100,
        PushgatewaySeries("cli_untyped"): 1e30,
        PushgatewaySeries("cli_special", ["kind": "inf"]): .infinity,
        PushgatewaySeries("cli_special", ["kind": "ninf"]): -.infinity,
        PushgatewaySeries("cli_special", ["kind": "nan"]): .nan,
        PushgatewaySeries("cli_special", ["kind": "tiny"]): 5e-324,
    ]

    static let textTypes = [
        "cli_build_seconds": "GAUGE", "cli_tests_total": "COUNTER", "cli_step_seconds": "HISTOGRAM",
        "cli_rpc_seconds": "SUMMARY", "cli_untyped": "UNTYPED", "cli_special": "GAUGE",
    ]

    /// Reads the one group of `job` and checks its grouping key and every series.
    static func expectGroup(
        job: String, key: [String: String], series: [PushgatewaySeries: Double], types: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> PushgatewayGroup {
        let groups = try await TestPushgateway.groups(job: job)
        try #require(groups.count == 1, "groups of job \(job): \(groups.map(\.labels))", sourceLocation: sourceLocation)
        let group = groups[0]
        #expect(group.labels == key.merging(["job": job]) { $1 }, sourceLocation: sourceLocation)
        #expect(group.lastPushSuccessful, sourceLocation: sourceLocation)
        let withKey = Dictionary(uniqueKeysWithValues: series.map { ($0.key.adding(group.labels), $0.value) })
        let differences = SeriesDiff.differences(expected: withKey, actual: group.series)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))", sourceLocation: sourceLocation)
        for (name, type) in types {
            #expect(group.families[name]?.type == type, "type of \(name)", sourceLocation: sourceLocation)
        }
        return group
    }

    @Test("a text file round trip: every series, label value and number, grouping labels with /, empty and space")
    func textRoundTrip() async throws {
        let files = try ScratchFiles()
        let input = try files.write("build.prom", Self.textInput)
        let job = "cli-send-text"
        let result = try await CLIRun.run([
            "send", input, "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "runner 7",
            "--grouping-label", "branch=feature/x/y", "--grouping-label", "empty=", "--grouping-label", "who=José Ü",
            "--grouping-label", "dot=.",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.output.isEmpty, "send printed something on success: \(result)")
        let key = ["instance": "runner 7", "branch": "feature/x/y", "empty": "", "who": "José Ü", "dot": "."]
        let group = try await Self.expectGroup(job: job, key: key, series: Self.textSeries, types: Self.textTypes)
        #expect(group.families["cli_build_seconds"]?.help == "Time the build took.")
        #expect(group.families["cli_step_seconds"]?.help == "Step durations.")
    }

    @Test("an OpenMetrics file: counters as _total, _created dropped, info as a gauge, histogram, unit")
    func openMetricsRoundTrip() async throws {
        let files = try ScratchFiles()
        let input = try files.write(
            "metrics.om",
            """
            # TYPE cli_om_requests counter
            # HELP cli_om_requests Requests served.
            cli_om_requests_total{code="200"} 10
            cli_om_requests_created{code="200"} 1700000000.5
            cli_om_requests_total{code="500"} 2.5
            # TYPE cli_om_temperature_celsius gauge
            # UNIT cli_om_temperature_celsius celsius
            cli_om_temperature_celsius{room="a b"} -3.5
            # TYPE cli_om_latency_seconds histogram
            cli_om_latency_seconds_bucket{le="0.1"} 2
            cli_om_latency_seconds_bucket{le="+Inf"} 3
            cli_om_latency_seconds_count 3
            cli_om_latency_seconds_sum 0.5
            # TYPE cli_om_build info
            cli_om_build_info{version="1.2 \\"beta\\""} 1
            # TYPE cli_om_other unknown
            cli_om_other 7
            # EOF

            """)
        let job = "cli-send-openmetrics"
        let result = try await CLIRun.run([
            "send", input, "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "om",
        ])
        #expect(result.status == 0, "\(result)")
        let series: [PushgatewaySeries: Double] = [
            PushgatewaySeries("cli_om_requests_total", ["code": "200"]): 10,
            PushgatewaySeries("cli_om_requests_total", ["code": "500"]): 2.5,
            PushgatewaySeries("cli_om_temperature_celsius", ["room": "a b"]): -3.5,
            PushgatewaySeries("cli_om_latency_seconds_bucket", ["le": "0.1"]): 2,
            PushgatewaySeries("cli_om_latency_seconds_bucket", ["le": "+Inf"]): 3,
            PushgatewaySeries("cli_om_latency_seconds_count"): 3,
            PushgatewaySeries("cli_om_latency_seconds_sum"): 0.5,
            PushgatewaySeries("cli_om_build_info", ["version": "1.2 \"beta\""]): 1,
            PushgatewaySeries("cli_om_other"): 7,
        ]
        let types = [
            "cli_om_requests_total": "COUNTER", "cli_om_temperature_celsius": "GAUGE",
            "cli_om_latency_seconds": "HISTOGRAM", "cli_om_build_info": "GAUGE", "cli_om_other": "UNTYPED",
        ]
        let group = try await Self.expectGroup(job: job, key: ["instance": "om"], series: series, types: types)
        #expect(group.families["cli_om_requests_total"]?.help == "Requests served.")
    }

    @Test("standard input, as - and as the default when no file is given")
    func standardInput() async throws {
        for (job, files) in [("cli-send-stdin-dash", ["-"]), ("cli-send-stdin-default", [])] {
            let result = try await CLIRun.run(
                ["send"] + files + ["--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "i"],
                stdin: Data(Self.textInput.utf8))
            #expect(result.status == 0, "\(result)")
            _ = try await Self.expectGroup(job: job, key: ["instance": "i"], series: Self.textSeries)
        }
    }

    @Test("several files, and standard input among them, are merged into one push")
    func severalFiles() async throws {
        let files = try ScratchFiles()
        let first = try files.write(
            "a.prom",
            """
            # HELP cli_merge_jobs Jobs.
            # TYPE cli_merge_jobs gauge
            cli_merge_jobs{kind="a"} 1
            # TYPE cli_merge_only_a counter
            cli_merge_only_a 5

            """)
        let second = try files.write(
            "b.prom",
            """
            # TYPE cli_merge_jobs gauge
            cli_merge_jobs{kind="b"} 2
            cli_merge_only_b 6

            """)
        let job = "cli-send-merge"
        let merged = try await CLIRun.run([
            "send", first, second, "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "m",
        ])
        #expect(merged.status == 0, "\(merged)")
        let series: [PushgatewaySeries: Double] = [
            PushgatewaySeries("cli_merge_jobs", ["kind": "a"]): 1,
            PushgatewaySeries("cli_merge_jobs", ["kind": "b"]): 2,
            PushgatewaySeries("cli_merge_only_a"): 5, PushgatewaySeries("cli_merge_only_b"): 6,
        ]
        let group = try await Self.expectGroup(
            job: job, key: ["instance": "m"], series: series,
            types: ["cli_merge_jobs": "GAUGE", "cli_merge_only_a": "COUNTER", "cli_merge_only_b": "UNTYPED"])
        #expect(group.families["cli_merge_jobs"]?.help == "Jobs.")

        let withStdin = try await CLIRun.run(
            ["send", first, "-", "--pushgateway", try TestPushgateway.url, "--job", job + "-stdin", "--instance", "m"],
            stdin: Data("# TYPE cli_merge_jobs gauge\ncli_merge_jobs{kind=\"stdin\"} 3\n".utf8))
        #expect(withStdin.status == 0, "\(withStdin)")
        _ = try await Self.expectGroup(
            job: job + "-stdin", key: ["instance": "m"],
            series: [
                PushgatewaySeries("cli_merge_jobs", ["kind": "a"]): 1,
                PushgatewaySeries("cli_merge_jobs", ["kind": "stdin"]): 3,
                PushgatewaySeries("cli_merge_only_a"): 5,
            ])
    }

    @Test("timestamps are removed with a warning; the values arrive")
    func timestampsRemoved() async throws {
        let files = try ScratchFiles()
        let text = try files.write("t.prom", "cli_ts_text{a=\"1\"} 3 1700000000000\ncli_ts_text{a=\"2\"} 4\n")
        let openMetrics = try files.write("t.om", "# TYPE cli_ts_om gauge\ncli_ts_om 5 1700000000.25\n# EOF\n")
        let job = "cli-send-timestamps"
        let result = try await CLIRun.run([
            "send", text, openMetrics, "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "t",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("warning") && result.stderr.contains("2 sample(s)"), "\(result)")
        #expect(result.stderr.contains("timestamp"), "\(result)")
        _ = try await Self.expectGroup(
            job: job, key: ["instance": "t"],
            series: [
                PushgatewaySeries("cli_ts_text", ["a": "1"]): 3, PushgatewaySeries("cli_ts_text", ["a": "2"]): 4,
                PushgatewaySeries("cli_ts_om"): 5,
            ])
        // What Prometheus scrapes from the gateway carries no timestamps either.
        let scraped = try await TestPushgateway.scrape().families.flatMap(\.samples).filter {
            $0.labels["job"] == job && $0.name.hasPrefix("cli_ts_")
        }
        #expect(scraped.count == 3)
        #expect(scraped.allSatisfy { $0.timestampMilliseconds == nil }, "\(scraped)")
    }

    @Test("what a shell loop writes (families interleaved) and a probable mistake: sent, the mistake warned about")
    func interleavedAndWarned() async throws {
        let files = try ScratchFiles()
        let loop = try files.write(
            "loop.prom",
            "# TYPE cli_case_seconds gauge\ncli_case_seconds{case=\"a\"} 1\ncli_case_ok{case=\"a\"} 1\n"
                + "cli_case_seconds{case=\"b\"} 2\ncli_case_ok{case=\"b\"} 0\n# HELP cli_case_seconds Case time.\n"
                + "# TYPE cli_runs counter\ncli_runs_total 3\n")
        let job = "cli-send-interleaved"
        let result = try await CLIRun.run([
            "send", loop, "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "i",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stderr.contains("warning: \(loop):8: sample \"cli_runs_total\" is not part of the counter family"),
            "\(result)")
        let group = try await Self.expectGroup(
            job: job, key: ["instance": "i"],
            series: [
                PushgatewaySeries("cli_case_seconds", ["case": "a"]): 1,
                PushgatewaySeries("cli_case_seconds", ["case": "b"]): 2,
                PushgatewaySeries("cli_case_ok", ["case": "a"]): 1, PushgatewaySeries("cli_case_ok", ["case": "b"]): 0,
                PushgatewaySeries("cli_runs_total"): 3,
            ],
            types: ["cli_case_seconds": "GAUGE", "cli_case_ok": "UNTYPED", "cli_runs_total": "UNTYPED"])
        #expect(group.families["cli_case_seconds"]?.help == "Case time.")
    }

    @Test("an OpenMetrics series with several timestamped points: the last one is pushed")
    func openMetricsPoints() async throws {
        let job = "cli-send-points"
        let result = try await CLIRun.run(
            ["send", "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "p"],
            stdin: Data("# TYPE cli_points gauge\ncli_points 1 100\ncli_points 2 200\n# EOF\n".utf8))
        #expect(result.status == 0, "\(result)")
        _ = try await Self.expectGroup(job: job, key: ["instance": "p"], series: [PushgatewaySeries("cli_points"): 2])
    }

    @Test("an empty input is a valid document: the group is created empty")
    func emptyInput() async throws {
        let job = "cli-send-empty"
        let result = try await CLIRun.run(
            ["send", "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "e"], stdin: Data())
        #expect(result.status == 0, "\(result)")
        _ = try await Self.expectGroup(job: job, key: ["instance": "e"], series: [:])
    }

    @Test("the instance label defaults to the host name")
    func defaultInstance() async throws {
        let job = "cli-send-default-instance"
        let result = try await CLIRun.run(
            ["send", "--pushgateway", try TestPushgateway.url, "--job", job], stdin: Data("cli_x 1\n".utf8))
        #expect(result.status == 0, "\(result)")
        _ = try await Self.expectGroup(
            job: job, key: ["instance": HostName.current], series: [PushgatewaySeries("cli_x"): 1])
    }
}

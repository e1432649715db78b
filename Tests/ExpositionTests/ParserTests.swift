import Exposition
import Testing

@Suite struct ParserTests {
    private func parse(_ text: String, format: ExpositionFormat? = nil) throws -> ParsedExposition {
        try ExpositionParser.parse(Array(text.utf8), source: "test.prom", format: format)
    }

    @Test func emptyDocument() throws {
        let parsed = try parse("")
        #expect(parsed.families.isEmpty)
        #expect(parsed.format == .prometheus)
        #expect(parsed.timestampedSamples == 0)
    }

    /// Blank lines, comments, blanks around tokens, a trailing comma, `{}` and a last line
    /// without a newline are all fine in the text format.
    @Test func textFormatLeniency() throws {
        let parsed = try parse(
            "\n# just a comment\n  # HELP  x   The x.  \n#TYPE x GAUGE\n\t x { b = \"2\" , a=\"1\", } 1.5  \n"
                + "x{} -2 1700000000123\n\ny 3")
        #expect(parsed.format == .prometheus)
        #expect(parsed.timestampedSamples == 1)
        #expect(
            parsed.families == [
                MetricFamily(
                    name: "x", type: .gauge, help: "The x.  ",
                    samples: [
                        Sample(name: "x", labels: Labels(["a": "1", "b": "2"]), value: 1.5),
                        Sample(name: "x", labels: .empty, value: -2, timestampMilliseconds: 1_700_000_000_123),
                    ]),
                MetricFamily(
                    name: "y", type: .untyped, help: "", samples: [Sample(name: "y", labels: .empty, value: 3)]),
            ])
    }

    @Test func numbersInEveryForm() throws {
        let values = [
            "1", "-1", "+1", "0", "-0", "1.5", ".5", "5.", "1e3", "1E-3", "-2.5e+2", "Inf", "+Inf", "-Inf", "inf",
            "+Infinity", "NaN", "nan", "123456789012345678901234567890", "0.1", "1.7976931348623157e308", "5e-324",
            "9007199254740993",
        ]
        let text = values.enumerated().map { "x{i=\"\($0.offset)\"} \($0.element)\n" }.joined()
        let parsed = try parse(text).families[0].samples.map(\.value)
        let expected: [Double] = [
            1, -1, 1, 0, -0.0, 1.5, 0.5, 5, 1000, 0.001, -250, .infinity, .infinity, -.infinity, .infinity,
            .infinity, .nan, .nan, 1.2345678901234568e29, 0.1, .greatestFiniteMagnitude,
            .leastNonzeroMagnitude, 9_007_199_254_740_992,
        ]
        #expect(parsed.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func samplesWithoutTypeAreUntypedFamilies() throws {
        let parsed = try parse("a 1\na{x=\"y\"} 2\nb_total 3\n")
        #expect(parsed.families.map(\.name) == ["a", "b_total"])
        #expect(parsed.families.map(\.type) == [.untyped, .untyped])
        #expect(parsed.families[0].samples.count == 2)
    }

    @Test func textHistogramAndSummary() throws {
        let parsed = try parse(
            """
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 3
            h_count 2
            # TYPE s summary
            s{quantile="0.5"} 1
            s_sum 2
            s_count 3

            """)
        #expect(parsed.families.map(\.type) == [.histogram, .summary])
        #expect(parsed.families[0].samples.map(\.name) == ["h_bucket", "h_bucket", "h_sum", "h_count"])
        #expect(parsed.families[1].samples.map(\.name) == ["s", "s_sum", "s_count"])
    }

    @Test func detectsOpenMetrics() throws {
        #expect(try parse("a 1\n# EOF\n").format == .openMetrics)
        #expect(try parse("a 1\n# EOF").format == .openMetrics)
        #expect(try parse("a 1\n").format == .prometheus)
        // Only the last line decides: a `# UNIT` line or a `# EOF` in the middle is a
        // comment of a text document, as Prometheus and the Pushgateway read it.
        #expect(try parse("# UNIT a_seconds seconds\na_seconds 1\n").format == .prometheus)
        #expect(try parse("a 1\n# EOF\nb 1\n").families.map(\.name) == ["a", "b"])
        #expect(try parse("a 1\n# EOF\n\n").format == .prometheus)
        // Given explicitly, `# EOF` is only a comment in the text format.
        #expect(try parse("a 1\n# EOF\n", format: .prometheus).families.count == 1)
    }

    /// What a shell loop writes (one line of each metric per test case) and two files
    /// concatenated: families that come back are merged, as Prometheus merges them; a
    /// `# HELP` may follow the samples; bare `# HELP`/`# TYPE` lines are comments.
    @Test func interleavedTextFamiliesAreMerged() throws {
        let parsed = try parse(
            """
            # HELP
            # TYPE t
            # TYPE t gauge
            t{case="1"} 1.5
            r{case="1"} 0
            # HELP t Seconds a case took.
            t{case="2"} 2
            r{case="2"} 1
            # TYPE h histogram
            h_bucket{le="+Inf"} 1
            t{case="3"} 3
            h_sum 4
            h_count 1

            """)
        #expect(parsed.families.map(\.name) == ["t", "r", "h"])
        #expect(parsed.families[0].type == .gauge)
        #expect(parsed.families[0].help == "Seconds a case took.")
        #expect(parsed.families[0].samples.map(\.value) == [1.5, 2, 3])
        #expect(parsed.locations[0].sampleLines == [4, 7, 11])
        #expect(parsed.families[2].samples.map(\.name) == ["h_bucket", "h_sum", "h_count"])
        #expect(parsed.warnings.isEmpty)
    }

    /// Valid but probably a mistake: kept, as Prometheus reads it, with a warning.
    @Test func textWarnings() throws {
        let parsed = try parse("# TYPE c counter\nc_total 1\n# TYPE s summary\ns_count 1\ns_bucket 2\n")
        #expect(parsed.families.map(\.name) == ["c", "c_total", "s", "s_bucket"])
        #expect(parsed.families.map(\.type) == [.counter, .untyped, .summary, .untyped])
        #expect(
            parsed.warnings.map(\.description) == [
                #"test.prom:2: sample "c_total" is not part of the counter family "c" (line 1), whose samples are named "c": it is sent as the untyped family "c_total", as Prometheus reads it; write '# TYPE c_total counter' if the counter is "c_total" (or end an OpenMetrics file with '# EOF')"#,
                #"test.prom:5: sample "s_bucket" is not part of the summary family "s" (line 3), whose samples are named "s", "s_sum" or "s_count": it is sent as the untyped family "s_bucket", as Prometheus reads it; declare it with '# TYPE s_bucket …' if it is meant as a family of its own"#,
            ])
        // What the Pushgateway stores without loss: a histogram without a +Inf bucket (it
        // serves the count as that bucket), decreasing buckets, negative counters.
        let lenient = try parse(
            "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"2\"} 1\nh_count 2\n# TYPE c counter\nc -1\n")
        #expect(lenient.families.map(\.samples.count) == [3, 1])
    }

    /// Valid OpenMetrics that must not be refused: any escape in label values and help,
    /// several points of one series with increasing timestamps, long timestamps.
    @Test func openMetricsValidCorners() throws {
        let parsed = try parse(
            #"""
            # HELP a Tab \t and \q stay.
            a{v="x\ty"} 1
            # TYPE c counter
            c_total 1 1520879607.789
            c_created 1520430000 1520879607.789
            c_total 2 1520879608.000000000000000000001
            c_created 1520430000 1520879608
            # TYPE h histogram
            h_bucket{le="0.1"} 0 0001520879607
            h_bucket{le="+Inf"} 2 0001520879607
            h_bucket{le="0.1"} 1 1520879608.5
            h_bucket{le="+Inf"} 3 1520879608.5
            # EOF
            """#)
        #expect(parsed.families[0].help == #"Tab \t and \q stay."#)
        #expect(parsed.families[0].samples[0].labels["v"] == #"x\ty"#)
        #expect(
            parsed.families[1].samples.map(\.timestampMilliseconds) == [1_520_879_607_789, 1_520_879_608_000])
        #expect(parsed.families[2].samples.map(\.value) == [0, 2, 1, 3])
    }

    /// OpenMetrics types and names as the model carries them.
    @Test func openMetricsMapping() throws {
        let parsed = try parse(
            #"""
            # HELP requests Requests \"served\".
            # TYPE requests counter
            requests_total{code="200"} 10 1700000000.5 # {trace_id="abc"} 1 1700000000.25
            requests_created{code="200"} 1690000000
            # TYPE build info
            build_info{version="1.2"} 1
            # TYPE state stateset
            state{state="up"} 1
            state{state="down"} 0
            # TYPE queue gaugehistogram
            queue_bucket{le="+Inf"} 3
            queue_gcount 3
            queue_gsum 7
            # TYPE mystery unknown
            mystery 4
            # TYPE latency_seconds histogram
            # UNIT latency_seconds seconds
            latency_seconds_bucket{le="0.5"} 1 # {trace_id="x"} 0.3
            latency_seconds_bucket{le="+Inf"} 2
            latency_seconds_count 2
            latency_seconds_sum 0.9
            latency_seconds_created 1690000000
            # EOF
            """#)
        #expect(parsed.format == .openMetrics)
        #expect(parsed.timestampedSamples == 1)
        let requests = parsed.families[0]
        #expect(requests.name == "requests_total")
        #expect(requests.type == .counter)
        #expect(requests.help == #"Requests "served"."#)
        #expect(
            requests.samples == [
                Sample(
                    name: "requests_total", labels: Labels(["code": "200"]), value: 10,
                    timestampMilliseconds: 1_700_000_000_500)
            ])
        #expect(
            parsed.families.map(\.name) == [
                "requests_total", "build_info", "state", "queue", "mystery", "latency_seconds",
            ])
        #expect(parsed.families.map(\.type) == [.counter, .info, .stateset, .gaugeHistogram, .untyped, .histogram])
        // The names the document declared, for remote write's metadata.
        #expect(
            parsed.families.map(\.metadataName) == [
                "requests", "build", "state", "queue", "mystery", "latency_seconds",
            ])
        #expect(parsed.families[1].samples.map(\.name) == ["build_info"])
        #expect(parsed.families[3].samples.map(\.name) == ["queue_bucket", "queue_gcount", "queue_gsum"])
        #expect(parsed.families[5].unit == "seconds")
        #expect(
            parsed.families[5].samples.map(\.name) == [
                "latency_seconds_bucket", "latency_seconds_bucket",
                "latency_seconds_count", "latency_seconds_sum",
            ])
    }

    /// After a gauge or untyped family, a sample with another name is a new family (as
    /// Prometheus reads it), even with a suffix other types use; so an OpenMetrics
    /// gaugehistogram, which the model keeps as one untyped family, can still be written
    /// as text and read back.
    @Test func otherNamesAfterGaugeOrUntypedStartNewFamilies() throws {
        let parsed = try parse("# TYPE g gauge\ng 1\ng_count 2\n# TYPE u untyped\nu 1\nu_total 3\n")
        #expect(parsed.families.map(\.name) == ["g", "g_count", "u", "u_total"])
        #expect(parsed.families.map(\.type) == [.gauge, .untyped, .untyped, .untyped])

        let gaugeHistogram = try parse(
            "# TYPE q gaugehistogram\nq_bucket{le=\"+Inf\"} 3\nq_gcount 3\nq_gsum 7\n# EOF\n")
        let text = ExpositionRenderer.render(gaugeHistogram.families, format: .prometheus)
        let reread = try ExpositionParser.parse(text, source: "gaugehistogram.prom")
        #expect(reread.families.map(\.name) == ["q", "q_bucket", "q_gcount", "q_gsum"])
        #expect(reread.families.flatMap(\.samples) == gaugeHistogram.families[0].samples)
    }

    /// Same labels written in another order are the same series.
    @Test func labelOrderDoesNotMatter() throws {
        let parsed = try parse("x{b=\"1\",a=\"2\"} 1\nx{a=\"3\",b=\"1\"} 1\n")
        #expect(
            parsed.families[0].samples.map(\.labels) == [Labels(["a": "2", "b": "1"]), Labels(["a": "3", "b": "1"])])
    }

    @Test func escapesInLabelsAndHelp() throws {
        let parsed = try parse(#"# HELP x a\\b\nc "q""# + "\n" + #"x{v="a\\b\"c\nd"} 1"# + "\n")
        #expect(parsed.families[0].help == "a\\b\nc \"q\"")
        #expect(parsed.families[0].samples[0].labels["v"] == "a\\b\"c\nd")
    }

    @Test func roundTripText() throws {
        // The text format has no units.
        let families = Fixtures.all().map { family in
            var copy = family
            copy.unit = nil
            return copy
        }
        let rendered = ExpositionRenderer.render(families, format: .prometheus)
        let parsed = try ExpositionParser.parse(rendered, source: "round-trip.prom")
        #expect(parsed.format == .prometheus)
        #expect(parsed.families == families)
        #expect(parsed.timestampedSamples == 3)
    }

    @Test func roundTripOpenMetrics() throws {
        let families = Fixtures.all()
        let rendered = ExpositionRenderer.render(families, format: .openMetrics)
        let parsed = try ExpositionParser.parse(rendered, source: "round-trip.om")
        #expect(parsed.format == .openMetrics)
        #expect(parsed.families == Fixtures.declaredInOpenMetrics(families))
        #expect(parsed.timestampedSamples == 3)
    }

    /// Many samples sharing label sets across families: ids are reused, nothing mixes up.
    @Test func roundTripManySeries() throws {
        var connections = MetricFamily(name: "ipvs_connections_total", type: .counter, help: "Connections.")
        var weight = MetricFamily(name: "ipvs_weight", type: .gauge, help: "Weight.")
        for service in 0..<200 {
            for real in 0..<3 {
                let labels = Labels([
                    "service": "10.0.\(service / 256).\(service % 256):80", "real": "192.168.0.\(real)",
                ])
                connections.add(labels, Double(service * 3 + real))
                weight.add(labels, Double(real))
            }
        }
        for format in ExpositionFormat.allCases {
            let parsed = try ExpositionParser.parse(
                ExpositionRenderer.render([connections, weight], format: format), source: "many")
            let expected = [connections, weight]
            #expect(parsed.families == (format == .openMetrics ? Fixtures.declaredInOpenMetrics(expected) : expected))
        }
    }
}

import Exposition
import Testing

@Suite struct RendererTests {
    /// Given out of order on purpose: the output is sorted by family name.
    let small = [
        Fixtures.timestamped(), Fixtures.histogram(), Fixtures.counterWithUnit(), Fixtures.untyped(),
        Fixtures.gaugeWithEscaping(), Fixtures.counter(),
    ]

    @Test func textFormatBytes() {
        let expected = #"""
            # HELP ipvs_service_connections_total Connections scheduled to the service.
            # TYPE ipvs_service_connections_total counter
            ipvs_service_connections_total{address="10.0.0.1",port="80",protocol="tcp"} 12345
            ipvs_service_connections_total{address="10.0.0.2",port="443",protocol="tcp"} 0
            # HELP ipvs_service_in_bytes_total Bytes received by the service.
            # TYPE ipvs_service_in_bytes_total counter
            ipvs_service_in_bytes_total{address="10.0.0.1",port="80",protocol="tcp"} 1e+22
            ipvs_service_in_bytes_total{address="10.0.0.2",port="443",protocol="tcp"} 1.152921504606847e+18
            # HELP test_escaping Help with \\ backslash,\nnewline and "quotes".
            # TYPE test_escaping gauge
            test_escaping{path="C:\\dir\\file",quote="say \"hi\"",text="line1\nline2"} 1
            test_escaping{path="/plain/ascii",quote="",text="ünïcödé ✓"} 2
            # HELP test_legacy An untyped value.
            # TYPE test_legacy untyped
            test_legacy 42
            # HELP test_request_duration_seconds Request latency.
            # TYPE test_request_duration_seconds histogram
            test_request_duration_seconds_bucket{address="10.0.0.1",le="0.1",port="80",protocol="tcp"} 3
            test_request_duration_seconds_bucket{address="10.0.0.1",le="1",port="80",protocol="tcp"} 7
            test_request_duration_seconds_bucket{address="10.0.0.1",le="+Inf",port="80",protocol="tcp"} 9
            test_request_duration_seconds_sum{address="10.0.0.1",port="80",protocol="tcp"} 4.25
            test_request_duration_seconds_count{address="10.0.0.1",port="80",protocol="tcp"} 9
            # HELP test_timestamped Samples with their own time.
            # TYPE test_timestamped gauge
            test_timestamped{address="10.0.0.1",port="80",protocol="tcp"} 1 1700000000123
            test_timestamped{address="10.0.0.2",port="443",protocol="tcp"} 2 1700000000000
            test_timestamped 3 -1500

            """#
        #expect(String(decoding: ExpositionRenderer.render(small, format: .prometheus), as: UTF8.self) == expected)
    }

    @Test func openMetricsBytes() {
        let expected = #"""
            # HELP ipvs_service_connections Connections scheduled to the service.
            # TYPE ipvs_service_connections counter
            ipvs_service_connections_total{address="10.0.0.1",port="80",protocol="tcp"} 12345
            ipvs_service_connections_total{address="10.0.0.2",port="443",protocol="tcp"} 0
            # HELP ipvs_service_in_bytes Bytes received by the service.
            # TYPE ipvs_service_in_bytes counter
            # UNIT ipvs_service_in_bytes bytes
            ipvs_service_in_bytes_total{address="10.0.0.1",port="80",protocol="tcp"} 1e+22
            ipvs_service_in_bytes_total{address="10.0.0.2",port="443",protocol="tcp"} 1.152921504606847e+18
            # HELP test_escaping Help with \\ backslash,\nnewline and \"quotes\".
            # TYPE test_escaping gauge
            test_escaping{path="C:\\dir\\file",quote="say \"hi\"",text="line1\nline2"} 1
            test_escaping{path="/plain/ascii",quote="",text="ünïcödé ✓"} 2
            # HELP test_legacy An untyped value.
            # TYPE test_legacy unknown
            test_legacy 42
            # HELP test_request_duration_seconds Request latency.
            # TYPE test_request_duration_seconds histogram
            # UNIT test_request_duration_seconds seconds
            test_request_duration_seconds_bucket{address="10.0.0.1",le="0.1",port="80",protocol="tcp"} 3
            test_request_duration_seconds_bucket{address="10.0.0.1",le="1",port="80",protocol="tcp"} 7
            test_request_duration_seconds_bucket{address="10.0.0.1",le="+Inf",port="80",protocol="tcp"} 9
            test_request_duration_seconds_sum{address="10.0.0.1",port="80",protocol="tcp"} 4.25
            test_request_duration_seconds_count{address="10.0.0.1",port="80",protocol="tcp"} 9
            # HELP test_timestamped Samples with their own time.
            # TYPE test_timestamped gauge
            test_timestamped{address="10.0.0.1",port="80",protocol="tcp"} 1 1700000000.123
            test_timestamped{address="10.0.0.2",port="443",protocol="tcp"} 2 1700000000
            test_timestamped 3 -1.5
            # EOF

            """#
        #expect(String(decoding: ExpositionRenderer.render(small, format: .openMetrics), as: UTF8.self) == expected)
    }

    @Test func valuesInEveryForm() {
        let rendered = String(
            decoding: ExpositionRenderer.render([Fixtures.gaugeWithSpecialValues()], format: .prometheus), as: UTF8.self
        )
        let values = rendered.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ")[1] }
        #expect(
            values == [
                "NaN", "+Inf", "-Inf", "1e+22", "1.5e-07", "0.5", "-3", "0", "-0", "123456.789", "9007199254740992.0",
                "-9007199254740991", "1e-05", "0.30000000000000004",
            ])
    }

    @Test func emptyInputAndEmptyFamily() {
        #expect(ExpositionRenderer.render([], format: .prometheus).isEmpty)
        #expect(String(decoding: ExpositionRenderer.render([], format: .openMetrics), as: UTF8.self) == "# EOF\n")
        let family = MetricFamily(name: "x", type: .gauge, help: "")
        #expect(
            String(decoding: ExpositionRenderer.render([family], format: .prometheus), as: UTF8.self)
                == "# HELP x \n# TYPE x gauge\n")
    }

    /// A counter named without `_total` still gets `_total` samples in OpenMetrics, and a
    /// unit that the name does not end with is left out (OpenMetrics requires the suffix).
    @Test func openMetricsCounterWithoutTotalAndMismatchedUnit() {
        var counter = MetricFamily(name: "legacy_requests", type: .counter, help: "Old style.", unit: "seconds")
        counter.add(.empty, 5)
        counter.samples.append(Sample(name: "legacy_requests_created", labels: .empty, value: 1_700_000_000))
        let rendered = String(decoding: ExpositionRenderer.render([counter], format: .openMetrics), as: UTF8.self)
        #expect(
            rendered == """
                # HELP legacy_requests Old style.
                # TYPE legacy_requests counter
                legacy_requests_total 5
                legacy_requests_created 1700000000
                # EOF

                """)
    }

    @Test func appendsToAnExistingBuffer() {
        var buffer = Array("prefix\n".utf8)
        ExpositionRenderer.render([Fixtures.untyped()], format: .prometheus, into: &buffer)
        #expect(
            String(decoding: buffer, as: UTF8.self)
                == "prefix\n# HELP test_legacy An untyped value.\n# TYPE test_legacy untyped\ntest_legacy 42\n")
    }

    @Test func familyNames() {
        #expect(
            ExpositionRenderer.familyName(of: Fixtures.counter(), format: .openMetrics) == "ipvs_service_connections")
        #expect(
            ExpositionRenderer.familyName(of: Fixtures.counter(), format: .prometheus)
                == "ipvs_service_connections_total")
        #expect(ExpositionRenderer.familyName(of: Fixtures.untyped(), format: .openMetrics) == "test_legacy")
    }
}

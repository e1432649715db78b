import Exposition
import Testing

/// Bad documents and the exact message each gets: `SOURCE:LINE: reason`.
@Suite struct ParserErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var input: String
        var format: ExpositionFormat?
        var expected: String
        var testDescription: String { expected }

        init(_ input: String, _ format: ExpositionFormat? = nil, _ expected: String) {
            self.input = input
            self.format = format
            self.expected = expected
        }
    }

    static let textCases: [Case] = [
        Case(
            "# TYPE x gauge\nx{path=\"/a} 1\n", nil,
            #"metrics.prom:2: label value for "path" is not terminated: expected '"'"#),
        Case(
            "x 1\n1abc 3\n", nil,
            "metrics.prom:2: expected a metric name, '#' or an empty line at the start of the line, found '1' "
                + "(a metric name cannot start with a digit); metric names are made of letters, digits, '_' and ':'"),
        Case(
            "x-y 1\n", nil,
            #"metrics.prom:1: invalid character '-' in the metric name "x" (or a missing space after it)"#),
        Case(
            "x{1a=\"b\"} 1\n", nil,
            "metrics.prom:1: invalid label name: expected a letter or '_' to start it, found '1'; "
                + "label names are made of letters, digits and '_'"),
        Case(
            "x{a=b} 1\n", nil,
            #"metrics.prom:1: the value of label "a" must be quoted: expected '"', found 'b'"#),
        Case(
            #"x{a="\t"} 1"# + "\n", nil,
            #"metrics.prom:1: label value for "a" has the invalid escape '\t': only \\, \" and \n are allowed"#),
        Case(
            "x{a=\"1\",b=\"2\",a=\"3\"} 1\n", nil,
            #"metrics.prom:1: duplicate label "a" in one sample: each label name may appear only once"#),
        Case(
            "x{a=\"1\" b=\"2\"} 1\n", nil,
            #"metrics.prom:1: expected ',' or '}' after the value of label "a", found 'b'"#),
        Case(
            "x{__name__=\"y\"} 1\n", nil,
            #"metrics.prom:1: the label name "__name__" is reserved: the metric name goes before the '{'"#),
        Case(
            "x 0x1A\n", nil,
            #"metrics.prom:1: invalid value "0x1A" for "x": expected a number such as 1, -2.5 or 1e3, or +Inf, -Inf or NaN"#
        ),
        Case(
            "x 1e400\n", nil,
            #"metrics.prom:1: invalid value "1e400" for "x": expected a number such as 1, -2.5 or 1e3, or +Inf, -Inf or NaN"#
        ),
        Case(
            "x{a=\"b\"}\n", nil,
            #"metrics.prom:1: sample "x" has no value: expected a space and a number after the name and labels, found the end of the line"#
        ),
        Case(
            "x 1 1.5\n", nil,
            #"metrics.prom:1: invalid timestamp "1.5" for "x": the text format wants integer milliseconds since the epoch (OpenMetrics, with seconds, must end with '# EOF')"#
        ),
        Case(
            "x 1 2 3\n", nil,
            "metrics.prom:1: unexpected '3' after the timestamp (a sample line is: name, labels, value, timestamp): "
                + "expected the end of the line"),
        Case(
            "x 1\r\n", nil,
            #"metrics.prom:1: the line ends in a carriage return: the format uses '\n' line endings, not '\r\n'"#),
        Case(
            "# HELP x Help.\nx 1\n# TYPE x gauge\n", nil,
            #"metrics.prom:3: '# TYPE' for "x" comes after its samples (from line 1): put the family's '# TYPE' line before its samples (Prometheus and the Pushgateway refuse it after them)"#
        ),
        Case(
            "# TYPE x gauge\n# HELP x One.\n# TYPE x counter\nx 1\n", nil,
            #"metrics.prom:3: second '# TYPE' line for "x" (the first is on line 1)"#),
        Case(
            "# HELP x One.\n# TYPE x gauge\nx 1\n# HELP x Two.\n", nil,
            #"metrics.prom:4: second '# HELP' line for "x" (the first is on line 1)"#),
        // A family continued after others is still checked against its first lines.
        Case(
            "# HELP x One.\nx 1\ny 1\n# HELP x Two.\n", nil,
            #"metrics.prom:4: second '# HELP' line for "x" (the first is on line 1)"#),
        Case(
            "# TYPE x gauge\nx 1\ny 1\n# TYPE x gauge\n", nil,
            #"metrics.prom:4: second '# TYPE' line for "x" (the first is on line 1)"#),
        Case(
            "x 1\ny 1\n# TYPE x gauge\n", nil,
            #"metrics.prom:3: '# TYPE' for "x" comes after its samples (from line 1): put the family's '# TYPE' line before its samples (Prometheus and the Pushgateway refuse it after them)"#
        ),
        Case(
            "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n", nil,
            #"metrics.prom:5: second '# TYPE' line for "a" (the first is on line 1)"#),
        Case(
            "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n", nil,
            #"metrics.prom:5: duplicate series a (first on line 2): each name and label set may appear only once"#),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nother 1\nh 2\n", nil,
            #"metrics.prom:5: sample "h" does not belong to the histogram family "h" (line 1): its samples are named "h_bucket", "h_sum" or "h_count" (the Pushgateway would store it as a bucket, or drop it without an "le" label)"#
        ),
        Case(
            "# TYPE x gaugeish\n", nil,
            #"metrics.prom:1: unknown type "gaugeish" for "x": expected counter, gauge, histogram, summary or untyped"#),
        Case(
            #"# HELP x Say \"hi\"."# + "\n", nil,
            #"metrics.prom:1: invalid escape '\"' in the help text of "x": only \\ and \n are allowed there"#),
        Case(
            "# TYPE h histogram\nh_bucket{a=\"1\"} 1\n", nil,
            #"metrics.prom:2: histogram bucket h_bucket{a="1"} has no "le" label: every bucket needs one"#),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"fast\"} 1\n", nil,
            #"metrics.prom:2: histogram bucket h_bucket{le="fast"} has le="fast": expected a number such as 0.5 or +Inf"#
        ),
        Case(
            "# TYPE h histogram\nh 1\n", nil,
            #"metrics.prom:2: sample "h" does not belong to the histogram family "h" (line 1): its samples are named "h_bucket", "h_sum" or "h_count" (the Pushgateway would store it as a bucket, or drop it without an "le" label)"#
        ),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 2\n", nil,
            #"metrics.prom:3: h_bucket{le="1.0"}: h_bucket already has le 1 in another spelling; the Pushgateway would keep both (give each le once)"#
        ),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1.5\n", nil,
            #"metrics.prom:2: bucket h_bucket{le="1"} is 1.5: counts and bucket values are whole numbers from 0 to 2^64 (the Pushgateway stores them as unsigned integers and would keep 1)"#
        ),
        Case(
            "# TYPE s summary\ns_count -1\n", nil,
            #"metrics.prom:2: the count s_count is -1: counts and bucket values are whole numbers from 0 to 2^64 (the Pushgateway stores them as unsigned integers and would keep a meaningless number)"#
        ),
        Case(
            "# TYPE h histogram\nh_sum{le=\"1\"} 1\n", nil,
            #"metrics.prom:2: h_sum{le="1"} has an "le" label: only buckets have one (the Pushgateway would drop it); remove it"#
        ),
        Case(
            "# TYPE s summary\ns_count{quantile=\"0.5\"} 1\n", nil,
            #"metrics.prom:2: s_count{quantile="0.5"} has an "quantile" label: only the quantile samples of a summary have one (the Pushgateway would drop it); remove it"#
        ),
        Case(
            "x{__meta=\"1\"} 1\n", nil,
            #"metrics.prom:1: the label name "__meta" starts with '__', which Prometheus reserves for its own labels (the Pushgateway refuses it): rename the label"#
        ),
        Case(
            "# TYPE s summary\ns{a=\"b\"} 1\n", nil,
            #"metrics.prom:2: summary sample s{a="b"} has no "quantile" label: the samples named like a summary are its quantiles (the others are "s_sum" and "s_count")"#
        ),
        Case(
            "x{b=\"1\",a=\"2\"} 1\nx{a=\"2\", b=\"1\"} 1\n", nil,
            #"metrics.prom:2: duplicate series x{a="2",b="1"} (first on line 1): each name and label set may appear only once"#
        ),
        // The same label set spelled canonically first, then not, and the other way round;
        // also in a family continued after another.
        Case(
            "x{a=\"2\",b=\"1\"} 1\ny 1\nx{b=\"1\",a=\"2\"} 1\n", nil,
            #"metrics.prom:3: duplicate series x{a="2",b="1"} (first on line 1): each name and label set may appear only once"#
        ),
        Case(
            "# TYPE x gauge\nx{a=\"2\",b=\"1\"} 1\nx{a=\"3\"} 1\nx{b=\"1\",a=\"2\"} 1\n", nil,
            #"metrics.prom:4: duplicate series x{a="2",b="1"} (first on line 2): each name and label set may appear only once"#
        ),
        Case(
            "# TYPE x gauge\nx{b=\"1\",a=\"2\"} 1\nx{a=\"3\"} 1\nx{a=\"2\",b=\"1\"} 1\n", nil,
            #"metrics.prom:4: duplicate series x{a="2",b="1"} (first on line 2): each name and label set may appear only once"#
        ),
        Case(
            "# TYPE x gauge\nx{a=\"1\"} 1\n# TYPE y gauge\ny{a=\"1\"} 1\ny{a=\"1\"} 2\n", nil,
            #"metrics.prom:5: duplicate series y{a="1"} (first on line 4): each name and label set may appear only once"#
        ),
        Case(
            "\u{FEFF}x 1\n", nil,
            "metrics.prom:1: expected a metric name, '#' or an empty line at the start of the line, found "
                + "'\u{FEFF}' (U+FEFF); metric names are made of letters, digits, '_' and ':'"),
        Case(
            "# TYPE x gauge\r\nx 1\r\n", nil,
            #"metrics.prom:1: the line ends in a carriage return: the format uses '\n' line endings, not '\r\n'"#),
    ]

    static let openMetricsCases: [Case] = [
        Case(
            "# TYPE a gauge\na 1\n", .openMetrics,
            "metrics.prom:3: missing '# EOF': an OpenMetrics document must end with the line '# EOF'"),
        Case(
            "", .openMetrics,
            "metrics.prom:1: missing '# EOF': an OpenMetrics document must end with the line '# EOF'"),
        Case(
            "# TYPE a gauge\na 1", .openMetrics,
            "metrics.prom:2: the document ends without a newline after this line and without '# EOF': "
                + "an OpenMetrics document must end with the line '# EOF'"),
        Case(
            "a 1\n# EOF\nb 2\n", .openMetrics,
            "metrics.prom:3: content after '# EOF' (line 2): '# EOF' must be the last line"),
        Case(
            "a 1\n# EOF\n\n", .openMetrics,
            "metrics.prom:3: content after '# EOF' (line 2): '# EOF' must be the last line"),
        Case(
            "a 1\n\nb 1\n# EOF\n", nil,
            "metrics.prom:2: empty line: OpenMetrics does not allow blank lines"),
        // A counter without samples still owns its `_total` name (its model family name).
        Case(
            "# TYPE c counter\n# UNIT c_seconds seconds\nc_total 1\n# EOF\n", nil,
            "metrics.prom:3: sample name \"c_total\" is already used by the family \"c\" (line 1): keep all lines "
                + "of a metric family together and give every family its own names"),
        Case(
            "# TYPE x_total gauge\n# TYPE x counter\nx_total 1\n# EOF\n", nil,
            "metrics.prom:3: sample name \"x_total\" is already used by the family \"x_total\" (line 1): keep all "
                + "lines of a metric family together and give every family its own names"),
        Case(
            "# TYPE c counter\nc 1\n# EOF\n", nil,
            #"metrics.prom:2: sample "c" does not belong to the counter family "c" (line 1): its samples are named "c_total""#
        ),
        Case(
            "# TYPE u untyped\nu 1\n# EOF\n", nil,
            #"metrics.prom:1: unknown type "untyped" for "u": expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown ("untyped" is the text format's name for "unknown")"#
        ),
        Case(
            "# A comment\n# EOF\n", nil,
            "metrics.prom:1: unknown comment '# A': OpenMetrics allows only '# HELP', '# TYPE', '# UNIT' and '# EOF'"),
        Case(
            "a  1\n# EOF\n", nil,
            #"metrics.prom:1: sample "a" has no value: expected a single space and a number after the name and labels, found a space"#
        ),
        Case(
            "a{x=\"1\",} 1\n# EOF\n", nil,
            "metrics.prom:1: ',' before '}': OpenMetrics does not allow a trailing comma in a label set"),
        Case(
            "a 1 1700000000123ms\n# EOF\n", nil,
            #"metrics.prom:1: invalid timestamp "1700000000123ms" for "a": OpenMetrics wants seconds since the epoch, such as 1700000000 or 1700000000.123"#
        ),
        Case(
            "# TYPE a_seconds gauge\n# UNIT a_seconds bytes\n# EOF\n", nil,
            #"metrics.prom:2: the unit "bytes" does not match "a_seconds": a family with a unit ends its name with it ("a_seconds_bytes")"#
        ),
        Case(
            #"# HELP a Say "hi"."# + "\n# EOF\n", nil,
            #"metrics.prom:1: unescaped '"' in the help text of "a": OpenMetrics writes it as \""#),
        Case(
            "# HELP a\n# EOF\n", nil,
            "metrics.prom:1: '# HELP a' needs a space and <text> after the name (possibly empty, OpenMetrics requires the space)"
        ),
        Case(
            "# TYPE g gauge\ng 1 # {trace=\"a\"} 1\n# EOF\n", nil,
            #"metrics.prom:2: exemplar on "g": OpenMetrics allows exemplars only on counter '_total' and histogram '_bucket' samples"#
        ),
        Case(
            "a 1 1700000000\r\n# EOF\n", .openMetrics,
            #"metrics.prom:1: the line ends in a carriage return: the format uses '\n' line endings, not '\r\n'"#),
        Case(
            "a 1\n# EOF extra\n", .openMetrics,
            "metrics.prom:2: unexpected text after '# EOF': the last line is exactly '# EOF'"),
    ]

    /// The MUST rules of the OpenMetrics specification beyond syntax.
    static let openMetricsRuleCases: [Case] = [
        Case(
            "# TYPE c counter\nc_total -1\n# EOF\n", nil,
            "metrics.prom:2: counter c_total is -1: OpenMetrics counters count up from 0 and are neither NaN nor negative"
        ),
        Case(
            "# TYPE c counter\nc_total NaN\n# EOF\n", nil,
            "metrics.prom:2: counter c_total is NaN: OpenMetrics counters count up from 0 and are neither NaN nor negative"
        ),
        Case(
            "# TYPE h histogram\nh_bucket{a=\"1\",le=\"1\"} 1\nh_bucket{a=\"1\",le=\"+Inf\"} 1\n"
                + "h_bucket{a=\"2\",le=\"1\"} 1\n# EOF\n", nil,
            #"metrics.prom:4: histogram h{a="2"} has no bucket with le="+Inf": every histogram MetricPoint needs one, counting all observations"#
        ),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 2\n# EOF\n", nil,
            #"metrics.prom:3: bucket h_bucket{le="2"} is 1, less than the bucket before it (2): buckets are cumulative, each counts everything the ones before it count"#
        ),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n# EOF\n", nil,
            #"metrics.prom:3: bucket h_bucket{le="1"} comes after the bucket with le=2: OpenMetrics lists buckets in increasing order of "le""#
        ),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\nh_sum 1\n# EOF\n", nil,
            "metrics.prom:3: histogram h has _count 3 but its +Inf bucket is 2: the count is the +Inf bucket's value"),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n# EOF\n", nil,
            "metrics.prom:3: histogram h has _count but no _sum: OpenMetrics gives both or neither"),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"-1\"} 0\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 1\n# EOF\n", nil,
            "metrics.prom:5: histogram h has buckets below 0 and a _sum: OpenMetrics allows negative thresholds only in "
                + "histograms without a sum (use a gaugehistogram)"),
        Case(
            "# TYPE h histogram\nh_bucket{le=\"1\"} 0 # {} 2\nh_bucket{le=\"+Inf\"} 2\n# EOF\n", nil,
            #"metrics.prom:2: the exemplar of h_bucket{le="1"} is 2, outside the bucket (-Inf, 1]: an exemplar's value lies in its bucket"#
        ),
        Case(
            "# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 1.5\n# EOF\n", nil,
            #"metrics.prom:2: bucket g_bucket{le="+Inf"} is 1.5: OpenMetrics counts and bucket values are whole numbers, not negative"#
        ),
        Case(
            "# TYPE s stateset\ns{s=\"a\"} 2\n# EOF\n", nil,
            #"metrics.prom:2: stateset sample s{s="a"} is 2: a state is 1 (true) or 0 (false)"#),
        Case(
            "# TYPE s stateset\ns{state=\"a\"} 1\n# EOF\n", nil,
            #"metrics.prom:2: stateset sample s{state="a"} has no label "s": each state's sample carries the state as the value of a label named like the family"#
        ),
        Case(
            "# TYPE i info\ni_info{v=\"1\"} 2\n# EOF\n", nil,
            #"metrics.prom:2: info sample i_info{v="1"} is 2: the value of an info sample is always 1"#),
        Case(
            "# TYPE i_bytes info\n# UNIT i_bytes bytes\ni_bytes_info 1\n# EOF\n", nil,
            #"metrics.prom:2: the info "i_bytes" has the unit "bytes": OpenMetrics info families have no unit; remove the '# UNIT' line"#
        ),
        Case(
            "# TYPE s summary\ns{quantile=\"1.5\"} 1\n# EOF\n", nil,
            #"metrics.prom:2: summary sample s{quantile="1.5"} has quantile="1.5": quantiles are between 0 and 1"#),
        Case(
            "# TYPE s summary\ns_sum -1\n# EOF\n", nil,
            "metrics.prom:2: s_sum is -1: OpenMetrics summary sums are neither NaN nor negative"),
        Case(
            "a{x=\"1\"} 1\na{x=\"2\"} 1\na{x=\"1\"} 2 100\n# EOF\n", nil,
            #"metrics.prom:3: a{x="1"} comes back after other series of "a": OpenMetrics keeps the samples of each metric together"#
        ),
        Case(
            "a 1 200\na 2 100\n# EOF\n", nil,
            "metrics.prom:2: a has the timestamp 100.0, not after the 200.0 of its previous MetricPoint (line 1): "
                + "the points of a metric come in increasing timestamp order"),
        Case(
            "a 1\na 2\n# EOF\n", nil,
            "metrics.prom:2: duplicate series a (first on line 1): each name and label set may appear only once, or "
                + "once per MetricPoint with increasing timestamps"),
        Case(
            "a{_x=\"1\"} 1\n# EOF\n", nil,
            #"metrics.prom:1: the label name "_x" starts with '_': OpenMetrics reserves such names; rename the label"#),
        Case(
            "a 1 1604676851123456789\n# EOF\n", nil,
            #"metrics.prom:1: timestamp "1604676851123456789" for "a" is more than 292 million years from 1970 in seconds, which ipvs-push cannot hold: OpenMetrics timestamps are seconds (1700000000.123), not milliseconds or nanoseconds"#
        ),
        Case(
            "_a 1\n# EOF\n", nil,
            #"metrics.prom:1: the metric name "_a" starts with '_': OpenMetrics reserves such names; rename the metric"#
        ),
    ]

    @Test(arguments: openMetricsRuleCases)
    func openMetricsRules(_ testCase: Case) {
        #expect(error(testCase.input, testCase.format) == testCase.expected)
    }

    @Test(arguments: textCases)
    func textFormat(_ testCase: Case) {
        #expect(error(testCase.input, testCase.format) == testCase.expected)
    }

    @Test(arguments: openMetricsCases)
    func openMetrics(_ testCase: Case) {
        #expect(error(testCase.input, testCase.format) == testCase.expected)
    }

    /// Label values must be UTF-8 (the Pushgateway refuses others); text-format comments
    /// are not looked at and help text is repaired with a warning, as the gateway stores
    /// it; OpenMetrics help must be UTF-8.
    @Test func invalidUTF8() throws {
        var bytes = Array("# HELP x Fine.\nx{a=\"caf".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"} 1\n".utf8)
        #expect(
            error(bytes, nil)
                == #"metrics.prom:2: the value of label "a" is not valid UTF-8 (byte 0xC3 at column 9): the format is UTF-8 text"#
        )
        #expect(error([0x23, 0x20, 0xFF, 0x0A], nil) == nil)
        let help = try ExpositionParser.parse(
            Array("# HELP x ".utf8) + [0xED, 0xA0, 0x80] + Array("\nx 1\n".utf8), source: "metrics.prom")
        #expect(help.families[0].help == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(
            help.warnings.map(\.description) == [
                #"metrics.prom:1: the help text of "x" is not valid UTF-8 (byte 0xED at column 10): it is sent with U+FFFD in place of the bad bytes, as the Pushgateway stores it; write the file as UTF-8 to keep the text"#
            ])
        #expect(
            error(Array("# HELP x ".utf8) + [0xFF] + Array("\n# EOF\n".utf8), nil)
                == #"metrics.prom:1: the help text of "x" is not valid UTF-8 (byte 0xFF at column 10): the format is UTF-8 text"#
        )
    }

    /// The error reads `SOURCE:LINE: reason` and carries the parts separately.
    @Test func errorParts() throws {
        #expect(
            throws: ExpositionParseError(
                source: "ci/out.prom", line: 2, reason: "empty line: OpenMetrics does not allow blank lines")
        ) {
            try ExpositionParser.parse(Array("a 1\n\n# EOF\n".utf8), source: "ci/out.prom")
        }
    }

    private func error(_ text: String, _ format: ExpositionFormat?) -> String? {
        error(Array(text.utf8), format)
    }

    private func error(_ bytes: [UInt8], _ format: ExpositionFormat?) -> String? {
        do {
            _ = try ExpositionParser.parse(bytes, source: "metrics.prom", format: format)
            return nil
        } catch {
            return error.description
        }
    }
}

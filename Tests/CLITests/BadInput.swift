import Testing

/// One malformed input for `send`: its files (the last one, or `stdin`, holds the mistake),
/// where the error must point and a phrase its reason must contain.
struct BadInput: Sendable, CustomTestStringConvertible {
    struct File: Sendable {
        var name: String
        var bytes: [UInt8]
    }

    var name: String
    var files: [File]
    /// Given on standard input (`-` after the files) when not nil.
    var stdin: [UInt8]?
    /// The file the message must name (`<stdin>` for standard input).
    var errorFile: String
    /// The line the message must name.
    var line: Int
    var phrase: String
    var extraArguments: [String] = []

    var testDescription: String { name }

    init(
        _ name: String, _ files: [(String, String)], stdin: String? = nil, error errorFile: String, line: Int,
        _ phrase: String, arguments: [String] = []
    ) {
        self.init(
            name, files.map { ($0.0, Array($0.1.utf8)) }, stdin: stdin.map { Array($0.utf8) }, error: errorFile,
            line: line, phrase, arguments: arguments)
    }

    init(
        _ name: String, _ files: [(String, [UInt8])], stdin: [UInt8]? = nil, error errorFile: String, line: Int,
        _ phrase: String, arguments: [String] = []
    ) {
        self.name = name
        self.files = files.map { File(name: $0.0, bytes: $0.1) }
        self.stdin = stdin
        self.errorFile = errorFile
        self.line = line
        self.phrase = phrase
        self.extraArguments = arguments
    }

    /// A job name of its own, so its (absent) group cannot be confused with another test's.
    var job: String { "cli-bad-" + name }

    static let good = "# TYPE cli_good gauge\ncli_good{a=\"1\"} 1\n"

    static let all: [BadInput] = [
        BadInput(
            "unterminated-label-value", [("a.prom", "ok 1\nm{a=\"x} 1\n")], error: "a.prom", line: 2, "not terminated"),
        BadInput("bad-value", [("a.prom", "m 1.2.3\n")], error: "a.prom", line: 1, "1.2.3"),
        BadInput("hex-value", [("a.prom", "ok 1\nm 0x1F\n")], error: "a.prom", line: 2, "0x1F"),
        BadInput("missing-value", [("a.prom", "m{a=\"1\"}\n")], error: "a.prom", line: 1, "value"),
        BadInput(
            "duplicate-series-in-file", [("a.prom", "m{a=\"1\"} 1\nm{b=\"2\"} 1\nm{a=\"1\"} 2\n")], error: "a.prom",
            line: 3, "duplicate"),
        BadInput(
            "duplicate-series-across-files", [("a.prom", good), ("b.prom", "x 1\ncli_good{a=\"1\"} 2\n")],
            error: "b.prom", line: 2, "was already given at"),
        BadInput(
            "type-conflict-across-files",
            [("a.prom", good), ("b.prom", "# HELP cli_good h\n# TYPE cli_good counter\n")],
            error: "b.prom", line: 2, "counter"),
        BadInput(
            "typed-and-untyped-across-files", [("a.prom", good), ("b.prom", "x 1\ncli_good{a=\"2\"} 2\n")],
            error: "b.prom", line: 2, "untyped"),
        BadInput("invalid-metric-name", [("a.prom", "ok 1\ncli-bad 1\n")], error: "a.prom", line: 2, "metric name"),
        BadInput("invalid-label-name", [("a.prom", "m{1a=\"x\"} 1\n")], error: "a.prom", line: 1, "label name"),
        BadInput(
            "duplicate-label", [("a.prom", "m{a=\"1\",a=\"2\"} 1\n")], error: "a.prom", line: 1, "duplicate label"),
        BadInput("bad-escape", [("a.prom", "ok 1\nok2 1\nm{a=\"\\q\"} 1\n")], error: "a.prom", line: 3, "escape"),
        BadInput(
            "invalid-utf8", [("a.prom", Array("ok 1\nm{a=\"".utf8) + [0xFF, 0xFE] + Array("\"} 1\n".utf8))],
            error: "a.prom", line: 2, "UTF-8"),
        BadInput("bad-timestamp", [("a.prom", "m 1 soon\n")], error: "a.prom", line: 1, "timestamp"),
        BadInput("unknown-type", [("a.prom", "# TYPE m gauges\nm 1\n")], error: "a.prom", line: 1, "gauges"),
        BadInput(
            "second-type-line", [("a.prom", "# TYPE m gauge\n# TYPE m gauge\nm 1\n")], error: "a.prom", line: 2,
            "second '# TYPE'"),
        BadInput(
            "type-after-samples", [("a.prom", "# HELP m h\nm 1\n# TYPE m gauge\n")], error: "a.prom", line: 3,
            "comes after its samples"),
        BadInput(
            "openmetrics-histogram-without-inf-bucket",
            [("a.om", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n# EOF\n")], error: "a.om", line: 2,
            "+Inf"),
        BadInput(
            "histogram-sample-without-suffix", [("a.prom", "# TYPE h histogram\nh{le=\"1\"} 1\n")], error: "a.prom",
            line: 2, "store it as a bucket"),
        BadInput(
            "fractional-bucket", [("a.prom", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2.5\n")], error: "a.prom",
            line: 2, "whole numbers"),
        BadInput(
            "duplicate-bucket-spelling",
            [("a.prom", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nx 1\nh_bucket{le=\"1.0\"} 1\n")], error: "a.prom",
            line: 4, "would keep both"),
        BadInput(
            "reserved-label-name", [("a.prom", "ok 1\nm{__x=\"1\"} 1\n")], error: "a.prom", line: 2,
            "starts with '__'"),
        BadInput(
            "openmetrics-negative-counter", [("a.om", "# TYPE c counter\nc_total -1\n# EOF\n")], error: "a.om",
            line: 2, "neither NaN nor negative"),
        BadInput(
            "histogram-bucket-without-le", [("a.prom", "# TYPE h histogram\nh_bucket 1\n")], error: "a.prom", line: 2,
            "le"),
        BadInput(
            "summary-without-quantile", [("a.prom", "# TYPE s summary\ns 1\n")], error: "a.prom", line: 2, "quantile"),
        BadInput("carriage-return", [("a.prom", "ok 1\r\nm 1\r\n")], error: "a.prom", line: 1, "carriage return"),
        BadInput(
            "openmetrics-missing-eof", [("a.om", "# TYPE m_seconds gauge\n# UNIT m_seconds seconds\nm_seconds 1\n")],
            error: "a.om", line: 4, "# EOF", arguments: ["--format", "openmetrics"]),
        BadInput(
            "openmetrics-content-after-eof", [("a.om", "# TYPE m gauge\nm 1\n# EOF\nm 2\n")], error: "a.om", line: 4,
            "after '# EOF'", arguments: ["--format", "openmetrics"]),
        BadInput(
            "openmetrics-blank-line", [("a.om", "# TYPE m gauge\n\nm 1\n# EOF\n")], error: "a.om", line: 2, "empty line"
        ),
        BadInput(
            "second-file-bad", [("a.prom", good), ("b.prom", "m{a=\"x} 1\n")], error: "b.prom", line: 1, "terminated"),
        BadInput("stdin-bad", [("a.prom", good)], stdin: "ok 1\nm 1 2 3\n", error: "<stdin>", line: 2, "m"),
        BadInput(
            "job-label", [("a.prom", "ok 1\nm{job=\"x\"} 1\n")], error: "a.prom", line: 2, "carries the label \"job\""),
        BadInput(
            "instance-label", [("a.prom", "m{instance=\"x\"} 1\n")], error: "a.prom", line: 1,
            "carries the label \"instance\""),
        BadInput(
            "grouping-label-in-input", [("a.prom", "m{branch=\"x\"} 1\n")], error: "a.prom", line: 1,
            "carries the label \"branch\"", arguments: ["--grouping-label", "branch=main"]),
    ]
}

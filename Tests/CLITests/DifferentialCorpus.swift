import Foundation

/// Generated text-format documents for `SendDifferentialTests`: a valid document with
/// every family type (random series, values, help and label text, from a seed), then one
/// mutation that keeps it storable, makes the Pushgateway refuse it, or makes the gateway
/// store it wrongly or lose part of it. Deterministic: document `n` is the same bytes on
/// every machine and every run.
struct DifferentialCorpus {
    /// What a mutation does to the document, as the rule in the README classes it.
    enum Effect: String, Sendable {
        /// The gateway stores it without loss: `send` must accept it and store the same.
        case storable
        /// The gateway refuses it: `send` must refuse it.
        case refused
        /// The gateway accepts it but stores it wrongly or loses part of it: `send` must refuse it.
        case lossy
    }

    struct Document: Sendable {
        var number: Int
        var mutation: String
        var effect: Effect
        var bytes: [UInt8]
    }

    /// SplitMix64: small, seeded, the same sequence everywhere.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

        mutating func shuffle<T>(_ items: inout [T]) {
            guard items.count > 1 else { return }
            for index in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(index, below(index + 1)) }
        }
    }

    /// One line of a document and what it is.
    struct Line {
        enum Role { case help, type, sample, comment }
        var family: String
        var role: Role
        var text: [UInt8]
    }

    typealias Mutation = (name: String, effect: Effect, apply: @Sendable (inout [Line], String, inout Random) -> Void)

    static let mutations: [Mutation] = [
        ("none", .storable, { _, _, _ in }),
        (
            "interleaved-families", .storable,
            { lines, _, random in
                // Metadata first, then every sample line in random order: what a shell loop writes.
                let metadata = lines.filter { $0.role != .sample }
                var samples = lines.filter { $0.role == .sample }
                random.shuffle(&samples)
                lines = metadata + samples
            }
        ),
        (
            "help-after-samples", .storable,
            { lines, p, _ in
                if let help = lines.firstIndex(where: { $0.role == .help }) { lines.append(lines.remove(at: help)) }
            }
        ),
        (
            "bare-help-and-type", .storable,
            { lines, p, random in
                for text in ["# HELP", "# TYPE", "# HELP \(p)gauge", "# TYPE \(p)gauge", "#", "# just a note"] {
                    lines.insert(
                        Line(family: "", role: .comment, text: Array(text.utf8)), at: random.below(lines.count + 1))
                }
            }
        ),
        (
            "eof-and-unit-in-the-middle", .storable,
            { lines, p, random in
                lines.insert(
                    Line(family: "", role: .comment, text: Array("# UNIT \(p)gauge seconds".utf8)),
                    at: random.below(lines.count + 1))
                lines.insert(Line(family: "", role: .comment, text: Array("# EOF".utf8)), at: random.below(lines.count))
            }
        ),
        (
            "histogram-without-inf-bucket", .storable,
            { lines, _, _ in
                lines.removeAll {
                    $0.role == .sample && String(decoding: $0.text, as: UTF8.self).contains("le=\"+Inf\"")
                }
            }
        ),
        (
            "counter-samples-with-total", .storable,
            { lines, p, _ in
                rename(&lines, family: p + "count", from: p + "count ", to: p + "count_total ")
                rename(&lines, family: p + "count", from: p + "count{", to: p + "count_total{")
            }
        ),
        (
            "comment-not-utf8", .storable,
            { lines, _, random in
                lines.insert(
                    Line(family: "", role: .comment, text: Array("# bytes ".utf8) + [0xFF, 0xFE, 0xC3]),
                    at: random.below(lines.count + 1))
            }
        ),
        (
            "help-not-utf8", .storable,
            { lines, p, _ in
                lines.removeAll { $0.role == .help && $0.family == p + "gauge" }
                lines.insert(
                    Line(family: p + "gauge", role: .help, text: Array("# HELP \(p)gauge bad ".utf8) + [0xFF]), at: 0)
            }
        ),
        (
            "blanks-and-spacing", .storable,
            { lines, _, random in
                for index in lines.indices where lines[index].role == .sample {
                    var text = String(decoding: lines[index].text, as: UTF8.self)
                    text = text.replacingOccurrences(of: "=", with: random.chance(50) ? " = " : "=")
                    text = text.replacingOccurrences(of: "\"} ", with: "\",}\t ")
                    lines[index].text = Array(("  " + text).utf8)
                }
                lines.insert(Line(family: "", role: .comment, text: []), at: random.below(lines.count + 1))
                lines.insert(
                    Line(family: "", role: .comment, text: Array(" \t".utf8)), at: random.below(lines.count + 1))
            }
        ),
        ("empty-label-value", .storable, appending("gauge", "gauge{case=\"\"} 7")),
        (
            "families-of-a-second-file", .storable,
            { lines, p, random in
                // Two files concatenated: more series of the same families, without metadata.
                lines.append(Line(family: p + "gauge", role: .sample, text: Array("\(p)gauge{case=\"second\"} 1".utf8)))
                lines.append(
                    Line(family: p + "untyped", role: .sample, text: Array("\(p)untyped{case=\"second\"} 2".utf8)))
                lines.append(
                    Line(
                        family: p + "hist", role: .sample,
                        text: Array("\(p)hist_bucket{case=\"second\",le=\"+Inf\"} 1".utf8)))
            }
        ),
        ("duplicate-series", .refused, appending("untyped", "untyped{case=\"a\"} 9")),
        (
            "type-after-samples", .refused,
            { lines, p, _ in
                lines.removeAll { $0.role == .type && $0.family == p + "gauge" }
                lines.append(Line(family: p + "gauge", role: .type, text: Array("# TYPE \(p)gauge gauge".utf8)))
            }
        ),
        (
            "second-help", .refused,
            { lines, p, _ in
                lines.append(Line(family: p + "untyped", role: .help, text: Array("# HELP \(p)untyped again".utf8)))
                lines.insert(
                    Line(family: p + "untyped", role: .help, text: Array("# HELP \(p)untyped first".utf8)), at: 0)
            }
        ),
        (
            "second-type", .refused,
            { lines, p, _ in
                lines.insert(
                    Line(family: p + "hist", role: .type, text: Array("# TYPE \(p)hist histogram".utf8)), at: 0)
            }
        ),
        (
            "undefined-escape", .refused,
            { lines, p, _ in
                lines.append(Line(family: p + "x", role: .sample, text: Array(#"\#(p)x{v="a\tb"} 1"#.utf8)))
            }
        ),
        ("reserved-label-name", .refused, appending("x", "x{__v=\"1\"} 1")),
        (
            "bad-value", .refused,
            { lines, p, random in
                lines.append(sample(p, "x", "x \(random.pick(["1.2.3", "0x10", "1_0"]))"))
            }
        ),
        (
            "label-value-not-utf8", .refused,
            { lines, p, _ in
                lines.append(
                    Line(family: p + "x", role: .sample, text: Array("\(p)x{v=\"".utf8) + [0xFF] + Array("\"} 1".utf8)))
            }
        ),
        ("bad-metric-name", .refused, appending("x", "x-y 1")),
        (
            "histogram-sample-without-suffix", .lossy,
            { lines, p, random in
                let labels = random.chance(50) ? "{le=\"0.25\"}" : ""
                lines.append(sample(p, "hist", "hist\(labels) 1"))
            }
        ),
        ("bucket-without-le", .lossy, appending("hist", "hist_bucket{case=\"n\"} 1")),
        ("summary-sample-without-quantile", .lossy, appending("sum", "sum{case=\"n\"} 1")),
        ("bucket-twice-in-two-spellings", .lossy, appending("hist", "hist_bucket{case=\"a\",le=\"1.0\"} 9")),
        ("le-on-sum", .lossy, appending("hist", "hist_sum{case=\"n\",le=\"1\"} 1")),
        ("quantile-on-count", .lossy, appending("sum", "sum_count{case=\"n\",quantile=\"0.5\"} 1")),
        (
            "fractional-bucket", .lossy,
            { lines, p, random in
                let value = random.pick(["2.5", "-1", "1e20"])
                lines.append(sample(p, "hist", "hist_bucket{case=\"f\",le=\"+Inf\"} \(value)"))
            }
        ),
        ("fractional-count", .lossy, appending("sum", "sum_count{case=\"f\"} 0.5")),
        (
            "job-label", .lossy,
            { lines, p, random in
                let label = random.pick(["job", "instance"])
                lines.append(sample(p, "x", "x{\(label)=\"mine\"} 1"))
            }
        ),
    ]

    /// Document `number` of the corpus: mutation `number % mutations.count` applied to a
    /// document generated from the seed `seed ^ number`. Its metric names start with
    /// `d<number>_`.
    static func document(_ number: Int, seed: UInt64) -> Document {
        var random = Random(state: seed ^ UInt64(number) &* 0x2545_F491_4F6C_DD1D)
        let prefix = "d\(number)_"
        var lines = base(prefix, &random)
        let mutation = mutations[number % mutations.count]
        mutation.apply(&lines, prefix, &random)
        var bytes: [UInt8] = []
        for line in lines { bytes += line.text + [UInt8(ascii: "\n")] }
        return Document(number: number, mutation: mutation.name, effect: mutation.effect, bytes: bytes)
    }

    /// A valid document: a gauge, a counter, an untyped family without metadata, a
    /// histogram and a summary, each with one to three series.
    static func base(_ p: String, _ random: inout Random) -> [Line] {
        var lines: [Line] = []
        func add(_ family: String, _ role: Line.Role, _ text: String) {
            lines.append(Line(family: family, role: role, text: Array(text.utf8)))
        }
        func help(_ family: String) {
            guard random.chance(70) else { return }
            let text = random.pick([
                "Seconds a case took.", #"Back\\slash and\nnewline."#, "Ünïcödé ✓ text", "", "with \"quotes\"",
            ])
            add(family, .help, "# HELP \(family) \(text)")
        }
        let cases = ["a", "b", "c"].prefix(1 + random.below(3))
        let values = ["1", "0", "-2.5", "1e+30", "NaN", "+Inf", "0.125", "42"]
        help(p + "gauge")
        add(p + "gauge", .type, "# TYPE \(p)gauge gauge")
        for name in cases {
            let note = random.pick(["", #",note="x \"q\" y""#, #",note="日本""#])
            add(p + "gauge", .sample, "\(p)gauge{case=\"\(name)\"\(note)} \(random.pick(values))")
        }
        help(p + "count")
        add(p + "count", .type, "# TYPE \(p)count counter")
        for name in cases { add(p + "count", .sample, "\(p)count{case=\"\(name)\"} \(random.below(1000))") }
        for name in cases { add(p + "untyped", .sample, "\(p)untyped{case=\"\(name)\"} \(random.pick(values))") }
        help(p + "hist")
        add(p + "hist", .type, "# TYPE \(p)hist histogram")
        for name in cases {
            var cumulative = 0
            for bound in ["0.5", "1", "+Inf"] {
                cumulative += random.below(5)
                add(p + "hist", .sample, "\(p)hist_bucket{case=\"\(name)\",le=\"\(bound)\"} \(cumulative)")
            }
            add(p + "hist", .sample, "\(p)hist_sum{case=\"\(name)\"} \(random.pick(["0", "3.5", "12"]))")
            add(p + "hist", .sample, "\(p)hist_count{case=\"\(name)\"} \(cumulative)")
        }
        help(p + "sum")
        add(p + "sum", .type, "# TYPE \(p)sum summary")
        for name in cases {
            for quantile in ["0.5", "0.9"] {
                add(p + "sum", .sample, "\(p)sum{case=\"\(name)\",quantile=\"\(quantile)\"} \(random.pick(values))")
            }
            add(p + "sum", .sample, "\(p)sum_sum{case=\"\(name)\"} \(random.pick(["0", "7.25"]))")
            add(p + "sum", .sample, "\(p)sum_count{case=\"\(name)\"} \(random.below(100))")
        }
        return lines
    }

    /// The sample line `text` (its name without the document's prefix) of `family`.
    static func sample(_ prefix: String, _ family: String, _ text: String) -> Line {
        Line(family: prefix + family, role: .sample, text: Array((prefix + text).utf8))
    }

    /// A mutation that appends the sample line `text`.
    static func appending(_ family: String, _ text: String) -> @Sendable (inout [Line], String, inout Random) -> Void {
        { lines, prefix, _ in lines.append(sample(prefix, family, text)) }
    }

    private static func rename(_ lines: inout [Line], family: String, from: String, to: String) {
        for index in lines.indices where lines[index].role == .sample && lines[index].family == family {
            let text = String(decoding: lines[index].text, as: UTF8.self)
            if text.hasPrefix(from) { lines[index].text = Array((to + text.dropFirst(from.count)).utf8) }
        }
    }
}

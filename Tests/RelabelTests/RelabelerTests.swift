import Exposition
import Testing

@testable import Relabel

/// Labels from `name: value` pairs.
func labels(_ pairs: KeyValuePairs<String, String>) -> Labels { Labels(pairs) }

func relabel(_ rules: [RelabelRule], _ input: Labels) throws -> Labels? {
    try Relabeler(rules).process(input)
}

@Suite("Relabeler: every action")
struct RelabelerTests {
    let series = labels([
        "__name__": "ipvs_connections_total", "service": "10.0.0.1:80", "protocol": "TCP",
        "real": "10.1.0.7:8080", "namespace": "default",
    ])

    @Test("No rules: the same label set comes back")
    func noRules() throws {
        let relabeler = try Relabeler([])
        #expect(relabeler.isEmpty)
        #expect(relabeler.process(series) == series)
    }

    @Test("The defaults: replace, separator ;, regex (.*), replacement $1")
    func defaults() throws {
        let rule = RelabelRule()
        #expect(rule.action == .replace)
        #expect(rule.separator == ";")
        #expect(rule.regex == "(.*)")
        #expect(rule.replacement == "$1")
        #expect(rule.modulus == 0)
        #expect(rule.sourceLabels.isEmpty && rule.targetLabel.isEmpty)
        // Copies protocol;namespace into combined with the default regex and replacement.
        let result = try relabel(
            [RelabelRule(sourceLabels: ["protocol", "namespace"], targetLabel: "combined")], series)
        #expect(result?["combined"] == "TCP;default")
    }

    @Test("replace: groups from the documented host:port example, target with a reference")
    func replace() throws {
        // The Prometheus documentation's address example: ([^:]+):(\d+)
        let rules = [
            RelabelRule(sourceLabels: ["real"], regex: "([^:]+):(\\d+)", targetLabel: "real_host"),
            RelabelRule(
                sourceLabels: ["real"], regex: "([^:]+):(\\d+)", targetLabel: "port_${2}", replacement: "${1}_$2"),
        ]
        let result = try #require(try relabel(rules, series))
        #expect(result["real_host"] == "10.1.0.7")
        #expect(result["port_8080"] == "10.1.0.7_8080")
    }

    @Test("replace: no match leaves everything alone; an empty result removes the target")
    func replaceNoMatchAndEmpty() throws {
        let noMatch = try relabel(
            [RelabelRule(sourceLabels: ["protocol"], regex: "UDP", targetLabel: "protocol", replacement: "x")], series)
        #expect(noMatch == series)
        let emptied = try relabel(
            [RelabelRule(sourceLabels: ["protocol"], regex: "TCP", targetLabel: "namespace", replacement: "")], series)
        #expect(emptied?["namespace"] == nil)
        #expect(emptied?.count == series.count - 1)
    }

    @Test("replace: a target that expands to an invalid name is skipped")
    func replaceInvalidTarget() throws {
        let result = try relabel(
            [RelabelRule(sourceLabels: ["service"], regex: "(.*)", targetLabel: "${1}", replacement: "x")], series)
        #expect(result == series)
    }

    @Test("replace with no source labels and the default regex sets a constant")
    func replaceConstant() throws {
        let result = try relabel([RelabelRule(targetLabel: "region", replacement: "eu-west")], series)
        #expect(result?["region"] == "eu-west")
    }

    @Test("replace can rename the metric through __name__")
    func replaceName() throws {
        let result = try relabel(
            [
                RelabelRule(
                    sourceLabels: ["__name__"], regex: "ipvs_(.*)", targetLabel: "__name__", replacement: "lb_$1")
            ], series)
        #expect(result?["__name__"] == "lb_connections_total")
    }

    @Test("keep and drop on the joined source values")
    func keepDrop() throws {
        let keepTCP = RelabelRule(action: .keep, sourceLabels: ["protocol"], regex: "TCP|SCTP")
        #expect(try relabel([keepTCP], series) == series)
        let keepUDP = RelabelRule(action: .keep, sourceLabels: ["protocol"], regex: "UDP")
        #expect(try relabel([keepUDP], series) == nil)
        let drop = RelabelRule(action: .drop, sourceLabels: ["namespace", "protocol"], regex: "default;TCP")
        #expect(try relabel([drop], series) == nil)
        // Anchored: "T" alone does not match "TCP".
        let dropPartial = RelabelRule(action: .drop, sourceLabels: ["protocol"], regex: "T")
        #expect(try relabel([dropPartial], series) == series)
        // A missing source label is "": keep with the default regex keeps, keep with .+ drops.
        #expect(try relabel([RelabelRule(action: .keep, sourceLabels: ["absent"], regex: ".+")], series) == nil)
        #expect(try relabel([RelabelRule(action: .keep, sourceLabels: ["absent"])], series) == series)
    }

    @Test("A rule after a drop never runs; rules see the previous rule's result")
    func ordering() throws {
        let rules = [
            RelabelRule(sourceLabels: ["protocol"], targetLabel: "proto"),
            RelabelRule(action: .labelDrop, regex: "protocol"),
            RelabelRule(action: .keep, sourceLabels: ["proto"], regex: "TCP"),
        ]
        let result = try #require(try relabel(rules, series))
        #expect(result["protocol"] == nil && result["proto"] == "TCP")
    }

    @Test("keepequal and dropequal compare the joined sources with the target's value")
    func equalActions() throws {
        let input = labels(["__name__": "m", "a": "x", "b": "x", "c": "y"])
        #expect(try relabel([RelabelRule(action: .keepEqual, sourceLabels: ["a"], targetLabel: "b")], input) == input)
        #expect(try relabel([RelabelRule(action: .keepEqual, sourceLabels: ["a"], targetLabel: "c")], input) == nil)
        #expect(try relabel([RelabelRule(action: .dropEqual, sourceLabels: ["a"], targetLabel: "b")], input) == nil)
        #expect(try relabel([RelabelRule(action: .dropEqual, sourceLabels: ["a"], targetLabel: "c")], input) == input)
        // A missing target equals an empty joined value.
        #expect(
            try relabel([RelabelRule(action: .keepEqual, sourceLabels: ["absent"], targetLabel: "missing")], input)
                == input)
        // Byte comparison: a precomposed and a decomposed é differ.
        let accents = labels(["__name__": "m", "a": "\u{E9}", "b": "e\u{301}"])
        #expect(try relabel([RelabelRule(action: .keepEqual, sourceLabels: ["a"], targetLabel: "b")], accents) == nil)
    }

    @Test("labelmap copies matching labels to the expanded names, keeping the originals")
    func labelMap() throws {
        // The documentation's Kubernetes example: __meta_kubernetes_node_label_(.+)
        let input = labels([
            "__name__": "up", "__meta_kubernetes_node_label_zone": "a", "__meta_kubernetes_node_label_rack": "r1",
            "other": "o",
        ])
        let result = try #require(
            try relabel([RelabelRule(action: .labelMap, regex: "__meta_kubernetes_node_label_(.+)")], input))
        #expect(result["zone"] == "a" && result["rack"] == "r1")
        #expect(result["__meta_kubernetes_node_label_zone"] == "a")
        #expect(result.count == 6)
        let prefixed = try #require(
            try relabel([RelabelRule(action: .labelMap, regex: "(o)(ther)", replacement: "${2}_$1")], input))
        #expect(prefixed["ther_o"] == "o")
    }

    @Test("labeldrop and labelkeep match label names, __name__ included")
    func labelDropKeep() throws {
        let dropped = try #require(try relabel([RelabelRule(action: .labelDrop, regex: "real|name.*")], series))
        #expect(dropped.map(\.name) == ["__name__", "protocol", "service"])
        let kept = try #require(try relabel([RelabelRule(action: .labelKeep, regex: "__name__|service")], series))
        #expect(kept.map(\.name) == ["__name__", "service"])
        // labelkeep without __name__ in its regex removes the name too; nothing left drops the series.
        #expect(try relabel([RelabelRule(action: .labelKeep, regex: "nothing")], series) == nil)
    }

    @Test("lowercase and uppercase map the joined sources like Go's strings.ToLower/ToUpper")
    func caseActions() throws {
        let input = labels(["__name__": "m", "a": "MiXed", "b": "straße", "c": "İK"])
        let rules = [
            RelabelRule(action: .lowercase, sourceLabels: ["a"], targetLabel: "lower"),
            RelabelRule(action: .uppercase, sourceLabels: ["a", "b"], targetLabel: "upper"),
            RelabelRule(action: .lowercase, sourceLabels: ["c"], targetLabel: "turkish"),
        ]
        let result = try #require(try relabel(rules, input))
        #expect(result["lower"] == "mixed")
        #expect(result["upper"] == "MIXED;STRAßE")
        #expect(result["turkish"] == "ik")
        // An empty source removes the target.
        let emptied = try relabel([RelabelRule(action: .lowercase, sourceLabels: ["x"], targetLabel: "a")], input)
        #expect(emptied?["a"] == nil)
    }

    @Test("hashmod: the last 8 bytes of MD5, big-endian, modulo the modulus")
    func hashMod() throws {
        // MD5("abc") = 900150983cd24fb0 d6963f7d28e17f72; 0xd6963f7d28e17f72 % 1000 = 642.
        let input = labels(["__name__": "m", "a": "abc"])
        let result = try relabel(
            [RelabelRule(action: .hashMod, sourceLabels: ["a"], modulus: 1000, targetLabel: "shard")], input)
        #expect(result?["shard"] == String(UInt64(0xd696_3f7d_28e1_7f72) % 1000))
    }

    @Test("Empty values count as absent: removed from the input and from the output")
    func emptyValues() throws {
        let input = Labels(presorted: [Label("__name__", "m"), Label("empty", ""), Label("x", "1")])
        let result = try relabel([RelabelRule(action: .keep, sourceLabels: ["x"], regex: "1")], input)
        #expect(result?.map(\.name) == ["__name__", "x"])
    }

    @Test("Rules that change nothing return the input's storage, no copy")
    func unchanged() throws {
        let rules = [
            RelabelRule(action: .keep, sourceLabels: ["__name__"], regex: "ipvs_.*"),
            RelabelRule(action: .labelDrop, regex: "absent"),
            RelabelRule(sourceLabels: ["protocol"], targetLabel: "protocol"),
        ]
        let result = try #require(try relabel(rules, series))
        #expect(result == series)
        result.pairs.withUnsafeBufferPointer { resultBuffer in
            series.pairs.withUnsafeBufferPointer { inputBuffer in
                #expect(resultBuffer.baseAddress == inputBuffer.baseAddress)
            }
        }
    }

    @Test("Actions are read case-insensitively, as Prometheus reads them")
    func actionNames() {
        #expect(RelabelAction(name: "LabelDrop") == .labelDrop)
        #expect(RelabelAction(name: "HASHMOD") == .hashMod)
        #expect(RelabelAction(name: "keepequal") == .keepEqual)
        #expect(RelabelAction(name: "rename") == nil)
    }
}

import Exposition
import Foundation
import Logging
import TestSupport
import Testing

@testable import Agent

@Suite("Textfile directory: node_exporter's *.prom convention")
struct TextfileDirectoryTests {
    /// A fresh directory with `files` (name → text) in it.
    final class Directory {
        let path: String

        init(_ files: [String: String] = [:]) throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("textfiles-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for (name, text) in files { try write(name, text) }
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// Writes `name`, with its modification time set to `mtime` seconds when given.
        func write(_ name: String, _ text: String, mtime: Double? = nil) throws {
            let file = path + "/" + name
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            if let mtime {
                try FileManager.default.setAttributes(
                    [.modificationDate: Date(timeIntervalSince1970: mtime)], ofItemAtPath: file)
            }
        }
    }

    private func family(_ families: [MetricFamily], _ name: String) -> MetricFamily? {
        families.first { $0.name == name }
    }

    private func scrapeError(_ families: [MetricFamily]) -> Double? {
        family(families, TextfileDirectory.scrapeError.name)?.samples.first?.value
    }

    private func mtimes(_ families: [MetricFamily]) -> [String: Double] {
        var result: [String: Double] = [:]
        for sample in family(families, TextfileDirectory.mtime.name)?.samples ?? [] {
            result[sample.labels["file"] ?? "?"] = sample.value
        }
        return result
    }

    private func errorLines(_ capture: LogCapture) -> [String] {
        capture.lines.filter { $0.hasPrefix("error ") }
    }

    @Test("Good files are merged in name order; other names, hidden files and subdirectories are left alone")
    func merged() throws {
        let directory = try Directory()
        try directory.write(
            "b.prom", "# HELP m A gauge.\n# TYPE m gauge\nm{x=\"2\"} 2\nplain 7\n", mtime: 1_700_000_200)
        try directory.write(
            "a.prom",
            "# HELP m A gauge.\n# TYPE m gauge\nm{x=\"1\"} 1\n# HELP c_total Counted.\n# TYPE c_total counter\n"
                + "c_total 3\n", mtime: 1_700_000_100)
        try directory.write(".hidden.prom", "hidden 1\n")
        try directory.write("notes.txt", "not 1\n")
        try directory.write("a.prom.tmp", "partial{\n")
        try FileManager.default.createDirectory(atPath: directory.path + "/sub", withIntermediateDirectories: false)
        try directory.write("sub/deep.prom", "deep 1\n")
        let capture = LogCapture()
        let textfiles = TextfileDirectory(path: directory.path + "/", logger: capture.logger())

        let families = textfiles.read()
        #expect(
            families.map(\.name) == [
                "m", "c_total", "plain", TextfileDirectory.mtime.name, TextfileDirectory.scrapeError.name,
            ])
        #expect(family(families, "m")?.samples.map(\.value) == [1, 2])
        #expect(family(families, "m")?.help == "A gauge.")
        #expect(family(families, "c_total")?.type == .counter)
        // A family without HELP gets node_exporter's text.
        #expect(family(families, "plain")?.help == "Metric read from \(directory.path)/b.prom")
        #expect(mtimes(families) == ["a.prom": 1_700_000_100, "b.prom": 1_700_000_200])
        #expect(scrapeError(families) == 0)
        #expect(capture.lines.isEmpty)

        // Real Prometheus tooling accepts the result.
        let check = try FormatCheck.promtool(ExpositionRenderer.render(families, format: .prometheus))
        #expect(check.status == 0 && check.output.isEmpty, "\(check)")
    }

    @Test("A broken file is skipped as a whole, counted, and logged once until it changes or is fixed")
    func brokenFile() throws {
        let directory = try Directory(["a.prom": "good 1\n", "b.prom": "half 1\nbroken{x=\"1\" 2\n"])
        let capture = LogCapture()
        let textfiles = TextfileDirectory(path: directory.path, logger: capture.logger())

        let first = textfiles.read()
        #expect(family(first, "half") == nil)
        #expect(family(first, "good")?.samples.count == 1)
        #expect(scrapeError(first) == 1)
        #expect(Array(mtimes(first).keys) == ["a.prom"])
        #expect(errorLines(capture).count == 1)
        #expect(capture.contains(.error, "textfile skipped"))
        #expect(capture.contains(.error, "textfile.file=b.prom"))
        #expect(capture.contains(.error, "\(directory.path)/b.prom:2:"))
        let check = try FormatCheck.promtool(ExpositionRenderer.render(first, format: .prometheus))
        #expect(check.status == 0 && check.output.isEmpty, "\(check)")

        // The same problem again: counted, not logged again.
        #expect(scrapeError(textfiles.read()) == 1)
        #expect(errorLines(capture).count == 1)

        // A different problem is logged.
        try directory.write("b.prom", "half 1\n# TYPE half gauge\n")
        #expect(scrapeError(textfiles.read()) == 1)
        #expect(errorLines(capture).count == 2)

        // Fixed: used, and said so.
        try directory.write("b.prom", "half 1\nbroken{x=\"1\"} 2\n")
        let fixed = textfiles.read()
        #expect(scrapeError(fixed) == 0)
        #expect(family(fixed, "broken")?.samples.first?.labels == Labels(["x": "1"]))
        #expect(capture.contains(.info, "textfile used again"))
        #expect(errorLines(capture).count == 2)
    }

    @Test("A file contradicting an earlier one, or using the agent's own names, is skipped")
    func conflicts() throws {
        let directory = try Directory([
            "a.prom": "# TYPE m gauge\nm{x=\"1\"} 1\n",
            "b.prom": "other 1\n# TYPE m counter\nm{x=\"2\"} 2\n",
            "c.prom": "# TYPE m gauge\nm{x=\"1\"} 5\n",
            "d.prom": "# TYPE m gauge\nm{x=\"3\"} 3\n",
            "e.prom": "fine 1\nipvs_service_connections_total{x=\"1\"} 4\n",
            "f.prom": "ipvs_push_textfile_scrape_error 0\n",
        ])
        let capture = LogCapture()
        let textfiles = TextfileDirectory(path: directory.path, logger: capture.logger())
        let families = textfiles.read(reservedNames: ["ipvs_service_connections_total"])

        // d.prom adds a series to a.prom's family; the others are skipped whole.
        #expect(family(families, "m")?.samples.map(\.value) == [1, 3])
        #expect(family(families, "other") == nil && family(families, "fine") == nil)
        #expect(family(families, "ipvs_service_connections_total") == nil)
        #expect(family(families, TextfileDirectory.scrapeError.name)?.samples.count == 1)
        #expect(Set(mtimes(families).keys) == ["a.prom", "d.prom"])
        #expect(scrapeError(families) == 1)
        let a = directory.path + "/a.prom"
        #expect(
            capture.contains(
                .error,
                "\(directory.path)/b.prom:2: m is a counter here but a gauge at \(a):1: a family must have "
                    + "one type in all inputs; the file is skipped"))
        #expect(capture.contains(.error, "\(directory.path)/c.prom:2: series m{x=\"1\"} was already given at \(a):2"))
        #expect(
            capture.contains(
                .error,
                "\(directory.path)/e.prom: ipvs_service_connections_total is a metric the agent produces "
                    + "itself; the file is skipped until the metric is renamed"))
        #expect(capture.contains(.error, "f.prom: ipvs_push_textfile_scrape_error is a metric the agent produces"))
        #expect(errorLines(capture).count == 4)
        let check = try FormatCheck.promtool(ExpositionRenderer.render(families, format: .prometheus))
        #expect(check.status == 0 && check.output.isEmpty, "\(check)")
    }

    @Test("Samples with timestamps make the file skipped, as node_exporter does")
    func timestamps() throws {
        let directory = try Directory([
            "a.prom": "kept 1\n", "t.prom": "stamped 1 1700000000000\nunstamped 2\n",
        ])
        let capture = LogCapture()
        let families = TextfileDirectory(path: directory.path, logger: capture.logger()).read()
        #expect(family(families, "stamped") == nil && family(families, "unstamped") == nil)
        #expect(family(families, "kept") != nil)
        #expect(scrapeError(families) == 1)
        #expect(
            capture.contains(
                .error,
                "\(directory.path)/t.prom: 1 of its samples carry a timestamp; a textfile's samples take the "
                    + "collection's time, so the file is skipped until the timestamps are removed"))
    }

    @Test("A missing directory is an error metric and one log line, not a failure")
    func missingDirectory() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString)").path
        let capture = LogCapture()
        let textfiles = TextfileDirectory(path: path, logger: capture.logger())
        let families = textfiles.read()
        #expect(families.map(\.name) == [TextfileDirectory.scrapeError.name])
        #expect(scrapeError(families) == 1)
        _ = textfiles.read()
        #expect(errorLines(capture).count == 1)
        #expect(capture.contains(.error, "cannot read the textfile directory"))
        #expect(capture.contains(.error, "No such file or directory"))
        let check = try FormatCheck.promtool(ExpositionRenderer.render(families, format: .prometheus))
        #expect(check.status == 0 && check.output.isEmpty, "\(check)")

        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(scrapeError(textfiles.read()) == 0)
        #expect(capture.contains(.info, "textfile directory readable again"))
    }

    @Test("Every read sees the files as they are now: changed, added and removed")
    func changingFiles() throws {
        let directory = try Directory()
        try directory.write("a.prom", "value 1\n", mtime: 1_700_000_000)
        let textfiles = TextfileDirectory(path: directory.path, logger: LogCapture().logger())
        let first = textfiles.read()
        #expect(family(first, "value")?.samples.first?.value == 1)
        #expect(mtimes(first) == ["a.prom": 1_700_000_000])

        try directory.write("a.prom", "value 2\n", mtime: 1_700_000_060)
        try directory.write("b.prom", "added 1\n", mtime: 1_700_000_061)
        let second = textfiles.read()
        #expect(family(second, "value")?.samples.first?.value == 2)
        #expect(family(second, "added") != nil)
        #expect(mtimes(second) == ["a.prom": 1_700_000_060, "b.prom": 1_700_000_061])

        try FileManager.default.removeItem(atPath: directory.path + "/a.prom")
        let third = textfiles.read()
        #expect(family(third, "value") == nil)
        #expect(mtimes(third) == ["b.prom": 1_700_000_061])
        #expect(scrapeError(third) == 0)
    }
}

import Exposition
import Foundation
import Testing

@testable import Agent

@Suite struct ExpositionFilesTests {
    func write(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "agent-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func familiesAcrossFilesAreMerged() throws {
        let a = try write("a.prom", "# TYPE m gauge\nm{x=\"1\"} 1\n")
        let b = try write("b.prom", "# TYPE m gauge\nm{x=\"2\"} 2 1700000000000\nother 3\n")
        let input = try ExpositionFiles.read([a, b])
        #expect(input.families.map(\.name) == ["m", "other"])
        #expect(input.families[0].samples.count == 2)
        #expect(input.timestampedSamples == 1)
        #expect(input.sampleCount == 3)
    }

    @Test func conflictsNameBothPlaces() throws {
        let a = try write("a.prom", "x 1\n# TYPE m gauge\nm 1\n")
        let b = try write("b.prom", "\n# TYPE m counter\nm_total 1\n")
        let c = try write("c.prom", "# TYPE m gauge\nm 5\n")
        #expect(throws: ExpositionFiles.Failure.self) { try ExpositionFiles.read([a, b]) }
        do {
            _ = try ExpositionFiles.read([a, c])
            Issue.record("a repeated series must be refused")
        } catch {
            #expect(error.description == "\(c):2: series m was already given at \(a):3")
        }
        do {
            _ = try ExpositionFiles.read([a], reservedLabels: ["x"])
        } catch {
            Issue.record("no sample of a.prom has the label x: \(error)")
        }
        let d = try write("d.prom", "m{job=\"j\"} 1\n")
        do {
            _ = try ExpositionFiles.read([d], reservedLabels: ["job"])
            Issue.record("a reserved label must be refused")
        } catch {
            #expect(error.description.hasPrefix("\(d):1: m carries the label \"job\""))
        }
    }

    /// One OpenMetrics input may give a series several times, as MetricPoints with
    /// increasing timestamps; two inputs may not. The parsers' warnings are passed on.
    @Test func pointsWarningsAndFormat() throws {
        let points = try write("p.om", "# TYPE p gauge\np 1 100\np 2 200\n# EOF\n")
        #expect(try ExpositionFiles.read([points]).families[0].samples.map(\.value) == [1, 2])
        #expect(throws: ExpositionFiles.Failure.self) { try ExpositionFiles.read([points, points]) }
        let warned = try write("w.prom", "# TYPE c counter\nc_total 1\n")
        let input = try ExpositionFiles.read([warned])
        #expect(input.warnings.map(\.line) == [2])
        #expect(input.families.map(\.name) == ["c", "c_total"])
        // --format openmetrics: a file without '# EOF' is refused instead of read as text.
        #expect(throws: ExpositionFiles.Failure.self) { try ExpositionFiles.read([warned], format: .openMetrics) }
    }

    @Test func missingFileIsUnreadable() {
        #expect(throws: ExpositionFiles.Failure.self) { try ExpositionFiles.read(["/nonexistent/x.prom"]) }
    }
}

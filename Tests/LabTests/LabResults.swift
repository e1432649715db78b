import Foundation
import TestSupport

/// The output directory of one integration scenario run (see Lab/README.md for its files).
struct LabResults: Sendable {
    let directory: URL

    func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    func text(_ relative: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path(relative)) else {
            throw TestFailure("the lab did not write \(path(relative)) (see \(path("scenario.stderr")))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    func bytes(_ relative: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(relative)) else {
            throw TestFailure("the lab did not write \(path(relative)) (see \(path("scenario.stderr")))")
        }
        return Array(data)
    }

    /// The exit status a command recorded in `<name>.rc` (or `<name>` itself ending in `.rc`).
    func exitStatus(_ name: String) throws -> Int32 {
        let text = try self.text(name.hasSuffix(".rc") ? name : "\(name).rc")
        return try require(
            Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), "\(name).rc holds '\(text)', not a number")
    }

    /// `key=value` lines of an env file written by the scenario.
    func environment(_ relative: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try text(relative).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }

    /// The namespaces the scenario captured: short name and `namespace` label (path).
    func namespaces() throws -> [(name: String, path: String)] {
        try text("namespaces.tsv").split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(fields[0]), fields.count > 1 ? String(fields[1]) : "")
        }
    }
}

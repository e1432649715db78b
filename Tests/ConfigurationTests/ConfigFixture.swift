import Configuration
import Foundation

/// A temporary directory holding a configuration file and the files it names, removed
/// when the value goes away. Problems are shown with the file's path replaced by `FILE`,
/// so that expected texts can be written out in full: `FILE:3:5: global.interval ...`.
final class ConfigFixture: @unchecked Sendable {
    let directory: String

    init() throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "ipvs-push-config-\(UUID().uuidString)"
            ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The absolute path of `name` inside the directory.
    func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// Writes `text` to `name` (creating its directories) and returns the path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = self.path(name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return path
    }

    /// Writes `yaml` as `name` and loads it as the agent's configuration file.
    func load(_ yaml: String, name: String = "ipvs-push.yml") throws -> AgentConfigFile {
        try AgentConfigFile.load(path: try write(name, yaml))
    }

    /// Writes `yaml` as `name`, loads it and returns every problem as printed, the file's
    /// path shown as `FILE`; `[]` when the file loads.
    func problems(_ yaml: String, name: String = "ipvs-push.yml") throws -> [String] {
        let path = try write(name, yaml)
        do {
            _ = try AgentConfigFile.load(path: path)
            return []
        } catch {
            return error.problems.map { Self.shown($0.description, file: path) }
        }
    }

    /// `text` with a leading `path` replaced by `FILE`.
    static func shown(_ text: String, file path: String) -> String {
        text.hasPrefix(path) ? "FILE" + text.dropFirst(path.count) : text
    }
}

import Foundation
import HTTPTransport
import Logging
import ServiceNames

extension AgentSettings {
    /// Problems with the files the settings name (secrets, certificates, directories),
    /// found without connecting anywhere; `check-config` prints them.
    public func fileProblems() -> [String] {
        var problems: [String] = []
        let quiet = Logger(label: "check-config", factory: { _ in SwiftLogNoOpLogHandler() })
        if let pushgateway {
            do {
                _ = try HTTPClient(configuration: pushgateway.transport, logger: quiet)
            } catch {
                problems.append("pushgateway: \(error)")
            }
        }
        for configuration in remoteWrite {
            do {
                _ = try HTTPClient(configuration: configuration.transport, logger: quiet)
            } catch {
                problems.append("remote_write \(configuration.name ?? configuration.redactedURL): \(error)")
            }
        }
        if let path = serve?.webConfigFile {
            do {
                _ = try WebConfigFile.load(path: path)
            } catch {
                problems += error.problems.map(\.description)
            }
        }
        // Both names sources, each on its own, so that every problem shows at once.
        if let dockerHost = collection.dockerHost {
            do { _ = try DockerHost(dockerHost) } catch { problems.append("\(error)") }
        }
        do { _ = try collection.loadNamesFile() } catch { problems.append(error.description) }
        var isDirectory: ObjCBool = false
        if let directory = collection.textfileDirectory,
            !(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue)
        {
            problems.append("textfile directory \(directory) does not exist or is not a directory")
        }
        return problems
    }
}

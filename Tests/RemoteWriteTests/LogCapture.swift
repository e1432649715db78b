import Foundation
import Logging

/// A log handler keeping every line as text ("level message key=value ..."), so tests
/// can check what the sender logged.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var captured: [String] = []

    var lines: [String] { lock.withLock { captured } }

    func contains(_ level: Logger.Level, _ text: String) -> Bool {
        lines.contains { $0.hasPrefix("\(level) ") && $0.contains(text) }
    }

    func logger() -> Logger {
        var logger = Logger(label: "test.remote-write") { _ in Handler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.lock.withLock { capture.captured.append("\(event.level) \(event.message) \(rendered)") }
        }
    }
}

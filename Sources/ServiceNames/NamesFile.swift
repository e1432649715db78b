import Collector
import Foundation

/// The operator's names for virtual services (`--names-file`), for directors whose
/// services no orchestrator knows (keepalived, plain `ipvsadm`):
///
/// ```yaml
/// services:
///   - name: web
///     protocol: tcp        # tcp (default), udp or sctp
///     address: 192.0.2.10  # IPv4 or IPv6
///     port: 80
///   - name: dns-mark
///     fwmark: 42           # decimal or 0x hex
///     family: inet         # fwmark only: inet (default) or inet6
///     namespace: /run/netns/lb   # only services in this namespace (default: any)
/// ```
///
/// A value: reading a new file (on SIGHUP) builds a new one to swap in, and a file with
/// problems leaves the one in use untouched. An entry with a `namespace` wins over one
/// without for services in that namespace.
public struct NamesFile: Sendable {
    /// The path it was read from (empty when parsed from text).
    public let path: String
    /// In file order.
    public let entries: [NamesFileEntry]
    private let byTarget: [NamesFileEntry.Target: [NamesFileEntry]]

    public init(path: String = "", entries: [NamesFileEntry]) {
        self.path = path
        self.entries = entries
        byTarget = Dictionary(grouping: entries, by: \.target)
    }

    /// Reads and checks the file at `path`; throws every problem found, each with its
    /// line and column.
    public static func load(path: String) throws(NamesFileError) -> NamesFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason =
                (error as NSError).userInfo[NSUnderlyingErrorKey].flatMap { $0 as? POSIXError }
                .map { String(cString: strerror($0.code.rawValue)) } ?? error.localizedDescription
            throw NamesFileError(problems: [
                NamesFileProblem(
                    file: path, line: 0, column: 0, message: "cannot read the names file: \(reason) (--names-file)")
            ])
        }
        return try parse(text, file: path)
    }

    /// Checks `text` as the content of `file` (the name used in problems).
    public static func parse(_ text: String, file: String) throws(NamesFileError) -> NamesFile {
        var reader = NamesFileReader(file: file)
        let entries = reader.read(text)
        guard reader.problems.isEmpty else {
            throw NamesFileError(problems: reader.problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return NamesFile(path: file, entries: entries)
    }

    /// The name of `service` read from the namespace at `namespace`, if an entry has it.
    public func name(of service: VirtualService, namespace: String) -> ServiceName? {
        guard !byTarget.isEmpty, let target = NamesFileEntry.Target(service),
            let candidates = byTarget[target]
        else { return nil }
        let entry = candidates.first { $0.namespace == namespace } ?? candidates.first { $0.namespace == nil }
        return entry.map { ServiceName(name: $0.name, source: .file) }
    }
}

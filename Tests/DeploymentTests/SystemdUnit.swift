import Foundation
import TestSupport

/// A systemd unit file read as systemd reads it: `[Section]` headers, `Key=Value` lines
/// (a key may repeat), `#`/`;` comments, backslash continuation lines.
struct SystemdUnit {
    /// Section → key → every value given, in order.
    var sections: [String: [String: [String]]] = [:]

    init(text: String) throws {
        var section: String?
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = pending + raw.trimmingCharacters(in: .whitespaces)
            pending = ""
            if line.hasPrefix("#") || line.hasPrefix(";") || line.isEmpty { continue }
            if line.hasSuffix("\\") {
                line.removeLast()
                pending = line + " "
                continue
            }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                sections[section!, default: [:]] = sections[section!] ?? [:]
                continue
            }
            guard let section, let equals = line.firstIndex(of: "=") else {
                throw TestFailure("unit file line outside a section or without '=': \(line)")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key, default: []].append(value)
        }
    }

    /// The last value of `key` in `section` (systemd's rule for single-valued settings).
    func value(_ section: String, _ key: String) -> String? {
        sections[section]?[key]?.last
    }

    /// The space-separated words of every `key` line in `section`.
    func words(_ section: String, _ key: String) -> [String] {
        (sections[section]?[key] ?? []).flatMap { $0.split(separator: " ").map(String.init) }
    }
}

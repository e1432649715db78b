import TestSupport

/// systemd's named system-call groups (`@system-service`, ...), expanded by the installed
/// `systemd-analyze syscall-filter`, the same tables the service manager applies.
enum SyscallGroups {
    /// Every system call of `group`, nested groups included.
    static func expand(_ group: String) throws -> Set<String> {
        let output = try ShellCommand.check(["systemd-analyze", "syscall-filter"])
        var groups: [String: [String]] = [:]
        var current: String?
        for line in output.split(separator: "\n") {
            if line.hasPrefix("@") {
                current = String(line.split(separator: " ")[0])
                groups[current!] = []
            } else if let current {
                let word = line.split(separator: " ").first.map(String.init) ?? ""
                if !word.isEmpty && !word.hasPrefix("#") { groups[current]!.append(word) }
            }
        }
        guard groups[group] != nil else { throw TestFailure("systemd-analyze knows no group \(group)") }
        var seen: Set<String> = []
        var calls: Set<String> = []
        func add(_ name: String) {
            guard seen.insert(name).inserted else { return }
            for member in groups[name] ?? [] {
                if member.hasPrefix("@") { add(member) } else { calls.insert(member) }
            }
        }
        add(group)
        return calls
    }
}

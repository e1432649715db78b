import Collector
import Yams

/// Reads a names file strictly, collecting every problem with its line and column:
/// unknown keys, values of the wrong type, missing or contradicting keys, bad
/// addresses, ports and marks, and entries that name the same service twice.
struct NamesFileReader {
    let file: String
    private(set) var problems: [NamesFileProblem] = []

    static let entryKeys = ["name", "protocol", "address", "port", "fwmark", "family", "namespace"]

    init(file: String) {
        self.file = file
    }

    /// The entries of `text`; `problems` says what was wrong (entries with problems are left out).
    mutating func read(_ text: String) -> [NamesFileEntry] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            recordSyntax(error)
            return []
        } catch {
            record("not valid YAML: \(error)", at: nil)
            return []
        }
        guard let root else { return [] }
        guard case .mapping(let mapping) = root else {
            record("the file must be a mapping with the key \"services\", not \(kind(of: root))", at: root.mark)
            return []
        }
        var services: Node? = nil
        for (key, value) in mapping {
            guard key.string == "services" else {
                record("unknown key \"\(key.string ?? "?")\" (the file has only \"services\")", at: key.mark)
                continue
            }
            services = value
        }
        guard let services, !isNull(services) else { return [] }
        guard case .sequence(let items) = services else {
            record(
                "services must be a list (start each entry with \"- \"), not \(kind(of: services))", at: services.mark)
            return []
        }
        var entries: [NamesFileEntry] = []
        var seen: [NamesFileEntry.Target: [NamesFileEntry]] = [:]
        for (index, item) in items.enumerated() {
            guard let entry = readEntry(item, index: index) else { continue }
            if let earlier = seen[entry.target]?.first(where: { $0.namespace == entry.namespace }) {
                record(
                    "services[\(index)] names the same service as the entry at \(earlier.line):\(earlier.column) "
                        + "(\"\(earlier.name)\"); keep one of them", at: item.mark)
                continue
            }
            seen[entry.target, default: []].append(entry)
            entries.append(entry)
        }
        return entries
    }

    private mutating func readEntry(_ node: Node, index: Int) -> NamesFileEntry? {
        let path = "services[\(index)]"
        guard case .mapping(let mapping) = node else {
            record(
                "\(path) must be a mapping (name, and fwmark or address and port), not \(kind(of: node))", at: node.mark
            )
            return nil
        }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string, Self.entryKeys.contains(name) else {
                record(
                    "unknown key \"\(key.string ?? "?")\" in \(path) (known keys: \(Self.entryKeys.joined(separator: ", ")))",
                    at: key.mark)
                continue
            }
            if !isNull(value) { values[name] = value }
        }
        let problemsBefore = problems.count
        let name = values["name"].flatMap { text($0, "\(path).name") }
        if values["name"] == nil { record("\(path) needs a \"name\"", at: node.mark) }
        if name?.isEmpty == true { record("\(path).name must not be empty", at: values["name"]?.mark) }
        let namespace = values["namespace"].flatMap { text($0, "\(path).namespace") }
        if namespace?.isEmpty == true { record("\(path).namespace must not be empty", at: values["namespace"]?.mark) }

        var target: NamesFileEntry.Target? = nil
        let addressKeys = ["protocol", "address", "port"].filter { values[$0] != nil }
        if let markNode = values["fwmark"] {
            if let first = addressKeys.first {
                record(
                    "\(path) has both fwmark and \(addressKeys.joined(separator: ", ")): a service is either a "
                        + "firewall mark or an address and port; keep one", at: values[first]?.mark)
            }
            let mark = readFirewallMark(markNode, "\(path).fwmark")
            var family = IPAddressFamily.inet
            if let familyNode = values["family"], let written = text(familyNode, "\(path).family") {
                if let known = [IPAddressFamily.inet, .inet6].first(where: { $0.name == written }) {
                    family = known
                } else {
                    record("\(path).family: \"\(written)\" is not inet or inet6", at: familyNode.mark)
                }
            }
            if let mark { target = .firewallMark(mark, family) }
        } else {
            if let familyNode = values["family"] {
                record(
                    "\(path).family applies to fwmark entries only (an address has its own family); remove it",
                    at: familyNode.mark)
            }
            var transport = TransportProtocol.tcp
            if let protocolNode = values["protocol"], let written = text(protocolNode, "\(path).protocol") {
                if let known = [TransportProtocol.tcp, .udp, .sctp].first(where: { $0.name == written }) {
                    transport = known
                } else {
                    record("\(path).protocol: \"\(written)\" is not tcp, udp or sctp", at: protocolNode.mark)
                }
            }
            let address = values["address"].flatMap { readAddress($0, "\(path).address") }
            let port = values["port"].flatMap { readPort($0, "\(path).port") }
            if values["address"] == nil || values["port"] == nil {
                let missing = ["address", "port"].filter { values[$0] == nil }.joined(separator: " and ")
                record("\(path) needs fwmark, or address and port (\(missing) missing)", at: node.mark)
            }
            if let address, let port { target = .address(transport, address, port: port) }
        }
        guard problems.count == problemsBefore, let name, let target else { return nil }
        return NamesFileEntry(
            name: name, target: target, namespace: namespace, line: node.mark?.line ?? 0,
            column: node.mark?.column ?? 0)
    }

    private mutating func text(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            record("\(path) must be text, not \(kind(of: node))", at: node.mark)
            return nil
        }
        return scalar.string
    }

    private mutating func readFirewallMark(_ node: Node, _ path: String) -> UInt32? {
        guard let text = text(node, path) else { return nil }
        let value =
            text.lowercased().hasPrefix("0x") ? UInt32(text.dropFirst(2), radix: 16) : UInt32(text, radix: 10)
        guard let value, value != 0 else {
            record("\(path): \"\(text)\" is not a firewall mark (1 to 4294967295, decimal or 0x hex)", at: node.mark)
            return nil
        }
        return value
    }

    private mutating func readPort(_ node: Node, _ path: String) -> UInt16? {
        guard let text = text(node, path) else { return nil }
        guard let value = UInt16(text, radix: 10) else {
            record("\(path): \"\(text)\" is not a port (0 to 65535)", at: node.mark)
            return nil
        }
        return value
    }

    private mutating func readAddress(_ node: Node, _ path: String) -> IPAddress? {
        guard let text = text(node, path) else { return nil }
        guard let value = IPAddress(text) else {
            record(
                "\(path): \"\(text)\" is not an IPv4 or IPv6 address (write it without brackets or prefix length)",
                at: node.mark)
            return nil
        }
        return value
    }

    private func isNull(_ node: Node) -> Bool {
        if case .scalar = node, node.tag.rawValue == Tag.Name.null.rawValue { return true }
        return false
    }

    private func kind(of node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar): isNull(node) ? "empty" : "\"\(scalar.string)\""
        case .alias: "an alias"
        }
    }

    private mutating func record(_ message: String, at mark: Mark?) {
        problems.append(
            NamesFileProblem(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message))
    }

    private mutating func recordSyntax(_ error: YamlError) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            record("not valid YAML: \(problem)", at: mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            record("duplicate key \(keys) in one mapping: keep one of them", at: context.mark)
        default:
            record("not valid YAML: \(error)", at: nil)
        }
    }
}

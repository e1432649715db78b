import Collector
import Foundation

@testable import ServiceNames

/// The answers and namespaces recorded from a real Swarm (see Fixtures/README.md).
enum DockerSwarmFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/docker-swarm")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func inventory() throws -> DockerInventory {
        try DockerInventory(
            apiVersion: .preferred, servicesJSON: Array(try text("services.json").utf8),
            networksJSON: Array(try text("networks.json").utf8))
    }

    /// The namespaces that have IPVS services, from namespaces.tsv: (file name, path, marks).
    static func ipvsNamespaces() throws -> [(name: String, path: String, marks: [UInt32])] {
        try text("namespaces.tsv").split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, let services = Int(fields[3]), services > 0 else { return nil }
            return (fields[0], fields[1], fields[4].split(separator: ",").compactMap { UInt32($0) })
        }
    }

    /// The snapshot the collector makes of the recorded namespace `name`.
    static func snapshot(_ name: String, path: String) throws -> NamespaceSnapshot {
        RecordedNamespace.snapshot(
            path: path, ipvsadmList: try text("\(name).ipvsadm-Ln"), mangle: try text("\(name).iptables-save-mangle"))
    }
}

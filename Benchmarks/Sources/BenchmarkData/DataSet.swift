import Collector
import Exposition
import IPVSMetricSet

/// The benchmark data set: one namespace with `services` TCP virtual services of
/// `destinations` real servers each, as the collector would return them, turned into
/// metric families by the real metric-set code (`IPVSMetrics.families`).
///
/// Counters and rates are pseudo-random but fixed by `seed`, with magnitudes like a busy
/// node's (connections up to 10^7, bytes up to 10^13), so that rendered text and protobuf
/// sizes are not flattered by zeros. The `.idle` profile has every counter, rate and
/// connection count at 0 (weights stay 1), as the lab's restored table and a node's many
/// unused services read: what is left to encode is mostly labels.
public struct DataSet: Sendable {
    /// How the counters look.
    public enum Values: String, Sendable {
        case busy
        case idle
    }

    public let services: Int
    public let destinations: Int
    public let collections: [NamespaceCollection]

    /// `elapsedSeconds` advances every counter by its rate times that many seconds (and
    /// leaves the rates and gauges alone): the same node, that much later, as the
    /// pipeline benchmark's successive collections.
    public init(
        services: Int, destinations: Int, values: Values = .busy, seed: UInt64 = 0x1F05_2026,
        elapsedSeconds: UInt64 = 0
    ) {
        self.services = services
        self.destinations = destinations
        var random = SplitMix64(seed: seed)
        var list: [VirtualService] = []
        list.reserveCapacity(services)
        var destinationIndex = 0
        for index in stride(from: 1, through: services, by: 1) {
            var servers: [RealServer] = []
            servers.reserveCapacity(destinations)
            for _ in 0..<destinations {
                destinationIndex += 1
                servers.append(
                    RealServer(
                        address: Self.address(172, 16, destinationIndex), port: 8080, forwarding: .masquerade,
                        weight: 1,
                        activeConnections: values == .idle ? 0 : UInt32(random.next(below: 500)),
                        inactiveConnections: values == .idle ? 0 : UInt32(random.next(below: 5000)),
                        stats: values == .idle
                            ? IPVSStats() : Self.advanced(Self.stats(&random), seconds: elapsedSeconds)))
            }
            servers.sort(by: RealServer.isOrderedBefore)
            list.append(
                VirtualService(
                    family: .inet, transportProtocol: .tcp, protocolNumber: 6, address: Self.address(10, 0, index),
                    port: 80,
                    scheduler: "rr", flags: [.hashed], netmask: 0xffff_ffff,
                    stats: values == .idle ? IPVSStats() : Self.advanced(Self.stats(&random), seconds: elapsedSeconds),
                    destinations: servers))
        }
        list.sort(by: VirtualService.isOrderedBefore)
        let snapshot = NamespaceSnapshot(
            namespace: "", info: IPVSInfo(versionCode: 0x010201, connectionTableSize: 4096), services: list,
            durationSeconds: 0.5)
        collections = [NamespaceCollection(namespace: "", result: .success(snapshot), durationSeconds: 0.5)]
    }

    /// The metric families of the data set, built by `IPVSMetrics.families`.
    public func families(options: MetricOptions = MetricOptions()) -> [MetricFamily] {
        IPVSMetrics.families(collections, options: options)
    }

    /// The smallest service count whose metric set has at least `samples` samples (with
    /// `destinations` real servers per service, default options).
    public static func services(forSamples samples: Int, destinations: Int) -> Int {
        let probe = DataSet(services: 10, destinations: destinations).families()
        let fixed = DataSet(services: 1, destinations: destinations).families()
        let perService = (sampleCount(probe) - sampleCount(fixed)) / 9
        let base = sampleCount(fixed) - perService
        return max(1, (samples - base + perService - 1) / perService)
    }

    public static func sampleCount(_ families: [MetricFamily]) -> Int {
        families.reduce(0) { $0 + $1.samples.count }
    }

    /// `first.second.x.y` plus `index` spread over the last two octets (and into the
    /// second past 65,535).
    static func address(_ first: UInt8, _ second: UInt8, _ index: Int) -> IPAddress {
        IPAddress(
            family: .inet,
            bytes: [
                first, second &+ UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8),
                UInt8(truncatingIfNeeded: index),
            ])
    }

    /// `stats` `seconds` later at its rates: each counter grows by its per-second rate.
    static func advanced(_ stats: IPVSStats, seconds: UInt64) -> IPVSStats {
        var later = stats
        later.connections += stats.connectionsPerSecond * seconds
        later.incomingPackets += stats.incomingPacketsPerSecond * seconds
        later.outgoingPackets += stats.outgoingPacketsPerSecond * seconds
        later.incomingBytes += stats.incomingBytesPerSecond * seconds
        later.outgoingBytes += stats.outgoingBytesPerSecond * seconds
        return later
    }

    static func stats(_ random: inout SplitMix64) -> IPVSStats {
        var stats = IPVSStats()
        stats.connections = random.next(below: 10_000_000)
        stats.incomingPackets = random.next(below: 10_000_000_000)
        stats.outgoingPackets = random.next(below: 10_000_000_000)
        stats.incomingBytes = random.next(below: 10_000_000_000_000)
        stats.outgoingBytes = random.next(below: 10_000_000_000_000)
        stats.connectionsPerSecond = random.next(below: 200)
        stats.incomingPacketsPerSecond = random.next(below: 20_000)
        stats.outgoingPacketsPerSecond = random.next(below: 20_000)
        stats.incomingBytesPerSecond = random.next(below: 20_000_000)
        stats.outgoingBytesPerSecond = random.next(below: 20_000_000)
        return stats
    }
}

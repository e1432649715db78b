import Exposition
import HTTPTransport
import RemoteWrite

/// Everything the encoding benchmarks work on, prepared once: the data set's families,
/// their text renderings, and the uncompressed remote-write bodies that the snappy floor
/// compresses.
public final class Workload: @unchecked Sendable {
    public let dataSet: DataSet
    public let families: [MetricFamily]
    public let sampleCount: Int
    public let text: [UInt8]
    public let openMetrics: [UInt8]
    /// Steady-state request bodies (the second collection of the same series), snappy-compressed.
    public let v1Bodies: [[UInt8]]
    public let v2Bodies: [[UInt8]]
    /// The same bodies uncompressed: what snappy alone is timed on.
    public let v1Raw: [[UInt8]]
    public let v2Raw: [[UInt8]]
    public let gzipText: [UInt8]

    public static let firstTimestamp: Int64 = 1_700_000_000_000

    public init(services: Int, destinations: Int, values: DataSet.Values = .busy) throws {
        dataSet = DataSet(services: services, destinations: destinations, values: values)
        families = dataSet.families()
        sampleCount = DataSet.sampleCount(families)
        text = ExpositionRenderer.render(families, format: .prometheus)
        openMetrics = ExpositionRenderer.render(families, format: .openMetrics)
        v1Bodies = try Self.steadyStateBodies(families, protocolVersion: .v1)
        v2Bodies = try Self.steadyStateBodies(families, protocolVersion: .v2)
        v1Raw = v1Bodies.map(SnappyFloor.uncompress)
        v2Raw = v2Bodies.map(SnappyFloor.uncompress)
        gzipText = try Gzip.compress(text)
    }

    /// The bodies of the second of two collections one scrape interval apart (the first
    /// interns every series; the second is what the agent sends from then on).
    static func steadyStateBodies(_ families: [MetricFamily], protocolVersion: RemoteWriteProtocol) throws -> [[UInt8]]
    {
        let encoder = RemoteWriteEncoder(protocolVersion: protocolVersion)
        _ = try encoder.encode(families, timestampMilliseconds: firstTimestamp)
        return try encoder.encode(families, timestampMilliseconds: firstTimestamp + 15_000)
    }

    /// Sizes in bytes, for the wire-size table.
    public var sizes: [(name: String, bytes: Int)] {
        [
            ("text", text.count),
            ("openmetrics", openMetrics.count),
            ("text gzip", gzipText.count),
            ("remote-write 1.0 protobuf", v1Raw.reduce(0) { $0 + $1.count }),
            ("remote-write 1.0 snappy", v1Bodies.reduce(0) { $0 + $1.count }),
            ("remote-write 2.0 protobuf", v2Raw.reduce(0) { $0 + $1.count }),
            ("remote-write 2.0 snappy", v2Bodies.reduce(0) { $0 + $1.count }),
        ]
    }
}

import Exposition

#if canImport(Glibc)
import Glibc
#endif

/// Reads exposition files (or standard input) for `send`: every input is parsed and
/// checked completely before anything is sent, and families spread over several
/// inputs are merged.
public enum ExpositionFiles {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// An input cannot be opened or read.
        case unreadable(path: String, reason: String)
        /// An input is not valid exposition text, or inputs contradict each other.
        case invalid(String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
            case .invalid(let message): message
            }
        }
    }

    /// The merged families and how many samples carried timestamps.
    public struct Input: Sendable {
        public var families: [MetricFamily]
        public var timestampedSamples: Int
        public var sampleCount: Int { families.reduce(0) { $0 + $1.samples.count } }
    }

    /// Reads and parses `paths` (`-` is standard input) and merges them.
    public static func read(_ paths: [String]) throws(Failure) -> Input {
        var families: [MetricFamily] = []
        var index: [String: Int] = [:]
        var origin: [String: String] = [:]
        var series: Set<SeriesKey> = []
        var timestamped = 0
        for path in paths {
            let source = path == "-" ? "<stdin>" : path
            let bytes = try readAll(path)
            let parsed: ParsedExposition
            do {
                parsed = try ExpositionParser.parse(bytes, source: source)
            } catch {
                throw .invalid(error.description)
            }
            timestamped += parsed.timestampedSamples
            for family in parsed.families {
                for sample in family.samples {
                    guard series.insert(SeriesKey(name: sample.name, labels: sample.labels)).inserted else {
                        throw .invalid(
                            "\(source): series \(sample.name)\(render(sample.labels)) also appears in \(origin[family.name] ?? "an earlier input")")
                    }
                }
                if let existing = index[family.name] {
                    guard families[existing].type == family.type else {
                        throw .invalid(
                            "\(source): \(family.name) is a \(family.type.rawValue) here but a \(families[existing].type.rawValue) in \(origin[family.name]!)")
                    }
                    families[existing].samples += family.samples
                } else {
                    index[family.name] = families.count
                    origin[family.name] = source
                    families.append(family)
                }
            }
        }
        return Input(families: families, timestampedSamples: timestamped)
    }

    private struct SeriesKey: Hashable {
        var name: String
        var labels: Labels
    }

    private static func render(_ labels: Labels) -> String {
        labels.isEmpty ? "" : "{" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    private static func readAll(_ path: String) throws(Failure) -> [UInt8] {
        let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { if path != "-" { close(descriptor) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
        }
        return bytes
    }
}

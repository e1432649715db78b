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

    /// Reads and parses `paths` (`-` is standard input) and merges them. A label named
    /// in `reservedLabels` (the grouping key's) must not appear in the input.
    public static func read(_ paths: [String], reservedLabels: Set<String> = []) throws(Failure) -> Input {
        var families: [MetricFamily] = []
        var index: [String: Int] = [:]
        var familyOrigin: [String: Place] = [:]
        var seriesOrigin: [SeriesKey: Place] = [:]
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
            seriesOrigin.reserveCapacity(seriesOrigin.count + parsed.sampleCount)
            for (position, family) in parsed.families.enumerated() {
                let location = parsed.locations[position]
                for (sampleIndex, sample) in family.samples.enumerated() {
                    let here = Place(source: source, line: location.sampleLines[sampleIndex])
                    if let reserved = sample.labels.first(where: { reservedLabels.contains($0.name) }) {
                        throw .invalid(
                            "\(here): \(sample.name) carries the label \"\(reserved.name)\", which the grouping key sets "
                                + "(job, instance, --grouping-label); remove it from the input or leave it to the grouping key")
                    }
                    let key = SeriesKey(name: sample.name, labels: sample.labels)
                    if let first = seriesOrigin[key] {
                        throw .invalid("\(here): series \(describe(sample)) was already given at \(first)")
                    }
                    seriesOrigin[key] = here
                }
                let here = Place(source: source, line: location.firstLine)
                if let existing = index[family.name] {
                    let earlier = families[existing].type
                    guard earlier == family.type else {
                        throw .invalid(
                            "\(here): \(family.name) is \(article(family.type)) here but \(article(earlier)) at "
                                + "\(familyOrigin[family.name]!): a family must have one type in all inputs")
                    }
                    families[existing].samples += family.samples
                } else {
                    index[family.name] = families.count
                    familyOrigin[family.name] = here
                    families.append(family)
                }
            }
        }
        return Input(families: families, timestampedSamples: timestamped)
    }

    private struct Place: CustomStringConvertible {
        var source: String
        var line: Int
        var description: String { "\(source):\(line)" }
    }

    private struct SeriesKey: Hashable {
        var name: String
        var labels: Labels
    }

    private static func article(_ type: MetricType) -> String {
        (type == .untyped ? "an " : "a ") + type.rawValue
    }

    /// The series as exposition text, label values escaped.
    private static func describe(_ sample: Sample) -> String {
        let family = MetricFamily(name: sample.name, type: .untyped, help: "", samples: [sample])
        let text = String(decoding: ExpositionRenderer.render([family], format: .prometheus), as: UTF8.self)
        let line = text.split(separator: "\n").last { !$0.hasPrefix("#") } ?? ""
        return String(line[..<(line.lastIndex(of: " ") ?? line.endIndex)])
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

import Exposition
import Privileges

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

    /// The merged families, how many samples carried timestamps, and the parsers'
    /// warnings (`FILE:LINE: message`: valid but probably a mistake; sent anyway).
    public struct Input: Sendable {
        public var families: [MetricFamily]
        public var timestampedSamples: Int
        public var warnings: [ExpositionWarning] = []
        /// Distinct series (name and labels) over all inputs.
        public var seriesCount: Int
        public var sampleCount: Int { families.reduce(0) { $0 + $1.samples.count } }
    }

    /// Reads and parses `paths` (`-` is standard input) and merges them. A label named
    /// in `reservedLabels` (the grouping key's) must not appear in the input. Without
    /// `format`, each input is OpenMetrics when its last line is `# EOF`, else text 0.0.4.
    /// One series may come several times only within one OpenMetrics input, as MetricPoints
    /// with increasing timestamps (which the parser checks).
    public static func read(_ paths: [String], reservedLabels: Set<String> = [], format: ExpositionFormat? = nil)
        throws(Failure) -> Input
    {
        var families: [MetricFamily] = []
        var index: [String: Int] = [:]
        var familyOrigin: [String: Place] = [:]
        // Where each series was first given: the input's number and the line.
        var seriesOrigin: [SeriesKey: (input: Int32, line: Int32)] = [:]
        var sources: [String] = []
        var timestamped = 0
        var warnings: [ExpositionWarning] = []
        for path in paths {
            let source = path == "-" ? "<stdin>" : path
            let input = Int32(sources.count)
            sources.append(source)
            let bytes = try readAll(path)
            let parsed: ParsedExposition
            do {
                parsed = try ExpositionParser.parse(bytes, source: source, format: format)
            } catch {
                throw .invalid(error.description)
            }
            timestamped += parsed.timestampedSamples
            warnings += parsed.warnings
            // The parser refuses a series given twice in one input (but as the MetricPoints of
            // one OpenMetrics metric, which carry timestamps). One input without timestamps
            // thus has as many series as samples, and the per-series bookkeeping below (a
            // hash of every label string) is needed only between inputs or points.
            let keyEverySeries = paths.count > 1 || parsed.timestampedSamples > 0
            if keyEverySeries { seriesOrigin.reserveCapacity(seriesOrigin.count + parsed.sampleCount) }
            // Nothing to check per sample (one input, no timestamps, no grouping key): the
            // samples are not even visited.
            let checkSamples = keyEverySeries || !reservedLabels.isEmpty
            for (position, family) in parsed.families.enumerated() {
                let location = parsed.locations[position]
                let checked = checkSamples ? family.samples : []
                for (sampleIndex, sample) in checked.enumerated() {
                    let line = location.sampleLines[sampleIndex]
                    if !reservedLabels.isEmpty,
                        let reserved = sample.labels.first(where: { reservedLabels.contains($0.name) })
                    {
                        throw .invalid(
                            "\(Place(source: source, line: line)): \(sample.name) carries the label \"\(reserved.name)\", "
                                + "which the grouping key sets (job, instance, --grouping-label); remove it from the "
                                + "input or leave it to the grouping key")
                    }
                    guard keyEverySeries else { continue }
                    let key = SeriesKey(name: sample.name, labels: sample.labels)
                    if let first = seriesOrigin.updateValue((input, Int32(clamping: line)), forKey: key),
                        first.input != input || sample.timestampMilliseconds == nil
                    {
                        let earlier = Place(source: sources[Int(first.input)], line: Int(first.line))
                        throw .invalid(
                            "\(Place(source: source, line: line)): series \(describe(sample)) was already given at \(earlier)"
                        )
                    }
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
        // Unkeyed (one input without timestamps), every sample is a series of its own.
        let seriesCount = seriesOrigin.isEmpty ? families.reduce(0) { $0 + $1.samples.count } : seriesOrigin.count
        return Input(families: families, timestampedSamples: timestamped, warnings: warnings, seriesCount: seriesCount)
    }

    private struct Place: CustomStringConvertible {
        var source: String
        var line: Int
        var description: String { "\(source):\(line)" }
    }

    /// A series' name and labels with a 64-bit hash of their bytes computed once: the
    /// dictionary then hashes one word instead of every label string through `Hasher`
    /// (that was a fifth of `send`'s time at 1,000,000 samples).
    private struct SeriesKey: Hashable {
        let name: String
        let labels: Labels
        let hash: UInt64

        init(name: String, labels: Labels) {
            self.name = name
            self.labels = labels
            var state: UInt64 = 0x27D4_EB2F_1656_67C5
            Self.mix(name, into: &state)
            labels.pairs.withUnsafeBufferPointer { pairs in
                for pair in pairs {
                    Self.mix(pair.name, into: &state)
                    Self.mix(pair.value, into: &state)
                }
            }
            hash = state
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }

        static func == (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
            lhs.hash == rhs.hash && lhs.name == rhs.name && lhs.labels == rhs.labels
        }

        /// Eight bytes at a time, each string closed by its length.
        private static func mix(_ text: String, into state: inout UInt64) {
            let done: Void? = text.utf8.withContiguousStorageIfAvailable { mix(UnsafeRawBufferPointer($0), &state) }
            if done == nil {
                var copy = text
                copy.withUTF8 { mix(UnsafeRawBufferPointer($0), &state) }
            }
        }

        private static func mix(_ bytes: UnsafeRawBufferPointer, _ state: inout UInt64) {
            var offset = 0
            while offset + 8 <= bytes.count {
                word(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self), &state)
                offset += 8
            }
            var tail = UInt64(bytes.count) << 56
            var shift: UInt64 = 0
            while offset < bytes.count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            word(tail, &state)
        }

        @inline(__always)
        private static func word(_ value: UInt64, _ state: inout UInt64) {
            state = (state ^ (value &* 0x9E37_79B1_85EB_CA87)) &* 0xC2B2_AE3D_27D4_EB4F
            state ^= state >> 29
        }
    }

    private static func article(_ type: MetricType) -> String {
        (type == .untyped || type == .info ? "an " : "a ") + type.rawValue
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
            throw .unreadable(path: path, reason: errnoText())
        }
        defer { if path != "-" { close(descriptor) } }
        guard let bytes = ProcFile.readAll(descriptor, chunkSize: 1 << 16) else {
            throw .unreadable(path: path, reason: errnoText())
        }
        return bytes
    }
}

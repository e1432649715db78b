import Exposition
import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// The `*.prom` files of a directory, sent with every collection: node_exporter's
/// textfile collector convention, for metrics that cron jobs and scripts write.
///
/// Each ``read(reservedNames:)`` reads every `*.prom` file in the directory (not
/// below it; names starting with `.` are left alone, so a writer can prepare
/// `.name.prom` and rename it into place), in byte order of their names, parses them
/// like `send` does, and merges their families. A file that cannot be used is skipped
/// as a whole, so that a half-written or broken file never yields half its series:
/// unreadable, not valid exposition text, with sample timestamps (node_exporter skips
/// those too: the samples take the collection's time), a family or sample name the
/// agent produces itself, a family typed differently in an earlier file, or a series
/// an earlier file already gave. Families without `# HELP` get node_exporter's help
/// text, `Metric read from PATH`.
///
/// Its own metrics come with the families, like node_exporter's
/// `node_textfile_scrape_error` and `node_textfile_mtime_seconds`:
/// `ipvs_push_textfile_scrape_error` (1 when the directory or any file could not be
/// used in this read) and `ipvs_push_textfile_mtime_seconds{file="NAME"}` (the
/// modification time, in whole seconds, of each file used). A missing or unreadable
/// directory is not fatal: it only sets the error metric.
///
/// Problems are logged at error level when they appear or change, not at every read,
/// and at info level when a file is usable again. Safe to share between tasks.
public struct TextfileDirectory: Sendable {
    /// The directory's own metrics.
    public static let scrapeError = MetricDescriptor(
        "ipvs_push_textfile_scrape_error", .gauge,
        help: "1 if the textfile directory or a file in it could not be used in the last read, 0 otherwise.")
    public static let mtime = MetricDescriptor(
        "ipvs_push_textfile_mtime_seconds", .gauge,
        help: "Modification time (Unix seconds) of each textfile used in the last read.")

    public let path: String
    private let logger: Logger
    private let reported = ReportedProblems()

    public init(path: String, logger: Logger) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        var logger = logger
        logger[metadataKey: "textfile.directory"] = "\(self.path)"
        self.logger = logger
    }

    /// The merged families of every usable `*.prom` file, then the directory's own two
    /// metrics. `reservedNames` are the metric names the agent produces itself (its
    /// families' names); a file with a family or sample of such a name is skipped.
    public func read(reservedNames: Set<String> = []) -> [MetricFamily] {
        let reserved = reservedNames.union([Self.scrapeError.name, Self.mtime.name])
        var problems: [String: String] = [:]
        var merged = MergedFamilies()
        var modified: [(file: String, seconds: Double)] = []
        var used: Set<String> = []
        let names: [String]
        switch listing() {
        case .success(let found): names = found
        case .failure(let problem):
            problems[""] = problem.message
            names = []
        }
        for name in names {
            let file = path + "/" + name
            switch load(file, reserved: reserved, into: &merged) {
            case .success(let seconds):
                modified.append((name, seconds))
                used.insert(name)
            case .failure(let problem):
                problems[name] = problem.message
            }
        }
        report(problems, used: used)

        var families = merged.families
        if !modified.isEmpty {
            families.append(Self.mtime.family(modified.map { (Labels(presorted: [Label("file", $0.0)]), $0.1) }))
        }
        families.append(Self.scrapeError.family(problems.isEmpty ? 0 : 1))
        return families
    }

    // MARK: Reading

    /// A reason a file or the directory was not used, as logged.
    private struct Problem: Error {
        var message: String
    }

    /// The `*.prom` names in the directory, hidden ones left out, in byte order.
    private func listing() -> Result<[String], Problem> {
        guard let directory = opendir(path) else {
            let reason = String(cString: strerror(errno))
            return .failure(Problem(message: "cannot read the textfile directory \(path): \(reason)"))
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".prom") && !name.hasPrefix(".") { names.append(name) }
        }
        return .success(names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    /// Reads and checks one file and merges it, or nothing of it; returns its mtime.
    private func load(_ file: String, reserved: Set<String>, into merged: inout MergedFamilies)
        -> Result<Double, Problem>
    {
        let input: ExpositionFiles.Input
        do {
            input = try ExpositionFiles.read([file])
        } catch {
            return .failure(Problem(message: error.description))
        }
        if input.timestampedSamples > 0 {
            return .failure(
                Problem(
                    message: "\(file): \(input.timestampedSamples) of its samples carry a timestamp; a textfile's "
                        + "samples take the collection's time, so the file is skipped until the timestamps are removed"
                ))
        }
        // Each family's sample names, found once for the checks and the merge below.
        let sampleNames = input.families.map(MergedFamilies.sampleNames)
        for (family, names) in zip(input.families, sampleNames) {
            if let clash = ([family.name] + names).first(where: reserved.contains) {
                return .failure(
                    Problem(
                        message: "\(file): \(clash) is a metric the agent produces itself; the file is skipped "
                            + "until the metric is renamed"))
            }
        }
        if let earlier = merged.conflict(with: input.families, sampleNames: sampleNames) {
            // `send`'s own check between the two files says where, with line numbers.
            let detail: String
            do {
                _ = try ExpositionFiles.read([earlier, file])
                detail = "\(file): conflicts with \(earlier)"
            } catch {
                detail = error.description
            }
            return .failure(Problem(message: "\(detail); the file is skipped"))
        }
        var status = stat()
        guard stat(file, &status) == 0 else {
            return .failure(Problem(message: "\(file): cannot stat: \(String(cString: strerror(errno)))"))
        }
        merged.add(input.families, sampleNames: sampleNames, from: file)
        return .success(Double(status.st_mtim.tv_sec))
    }

    // MARK: Logging

    /// Logs the problems that are new or changed since the last read, and the files
    /// that are used again after a problem.
    private func report(_ problems: [String: String], used: Set<String>) {
        let (appeared, resolved) = reported.update(problems)
        for (name, message) in appeared.sorted(by: { $0.key < $1.key }) {
            var metadata: Logger.Metadata = ["error": "\(message)"]
            if !name.isEmpty { metadata["textfile.file"] = "\(name)" }
            logger.error(name.isEmpty ? "cannot read the textfile directory" : "textfile skipped", metadata: metadata)
        }
        for name in resolved.sorted() {
            if name.isEmpty {
                logger.info("textfile directory readable again")
            } else if used.contains(name) {
                logger.info("textfile used again", metadata: ["textfile.file": "\(name)"])
            }
        }
    }

    /// The problems last logged, by file name ("" for the directory), so a lasting
    /// problem is logged once rather than at every read.
    private final class ReportedProblems: Sendable {
        private let last = NIOLockedValueBox<[String: String]>([:])

        /// Records `problems`; returns those not logged before (or changed) and the
        /// names whose problem is gone.
        func update(_ problems: [String: String]) -> (appeared: [String: String], resolved: [String]) {
            last.withLockedValue { last in
                let appeared = problems.filter { last[$0.key] != $0.value }
                let resolved = last.keys.filter { problems[$0] == nil }
                last = problems
                return (appeared, resolved)
            }
        }
    }

    /// The families of the files used so far in one read, and where each came from.
    ///
    /// Two files contradict each other when they type a family differently or give the
    /// same series. Series are compared only under a sample name that an earlier file
    /// gave too: files of different metrics (the usual directory) cost no per-series
    /// work, where keying every series would hash every label string at every read.
    private struct MergedFamilies {
        private(set) var families: [MetricFamily] = []
        private var index: [String: Int] = [:]
        private var familyFile: [String: String] = [:]
        /// The samples each file added to a merged family.
        private var pieces: [(file: String, family: Int, samples: Range<Int>)] = []
        /// The pieces holding samples of each sample name.
        private var piecesByName: [String: [Int]] = [:]

        private struct SeriesKey: Hashable {
            var name: String
            var labels: Labels
        }

        /// The sample names of `family`, each once (samples of one name come in runs).
        static func sampleNames(_ family: MetricFamily) -> [String] {
            var names: [String] = []
            for sample in family.samples where names.last != sample.name && !names.contains(sample.name) {
                names.append(sample.name)
            }
            return names
        }

        /// The earlier file that `incoming` (with each family's ``sampleNames(_:)``)
        /// contradicts: a family typed differently, or a series it gives again.
        func conflict(with incoming: [MetricFamily], sampleNames: [[String]]) -> String? {
            var shared: Set<String> = []
            for (family, names) in zip(incoming, sampleNames) {
                if let position = index[family.name], families[position].type != family.type {
                    return familyFile[family.name]
                }
                for name in names where piecesByName[name] != nil { shared.insert(name) }
            }
            guard !shared.isEmpty else { return nil }
            var earlier: [SeriesKey: String] = [:]
            for name in shared {
                for piece in piecesByName[name]!.map({ pieces[$0] }) {
                    for sample in families[piece.family].samples[piece.samples] where sample.name == name {
                        earlier[SeriesKey(name: name, labels: sample.labels)] = piece.file
                    }
                }
            }
            for family in incoming {
                for sample in family.samples where shared.contains(sample.name) {
                    if let file = earlier[SeriesKey(name: sample.name, labels: sample.labels)] { return file }
                }
            }
            return nil
        }

        mutating func add(_ incoming: [MetricFamily], sampleNames: [[String]], from file: String) {
            for (var family, names) in zip(incoming, sampleNames) {
                let position: Int
                let start: Int
                if let known = index[family.name] {
                    position = known
                    start = families[known].samples.count
                    families[known].samples += family.samples
                } else {
                    if family.help.isEmpty { family.help = "Metric read from \(file)" }
                    position = families.count
                    start = 0
                    index[family.name] = position
                    familyFile[family.name] = file
                    families.append(family)
                }
                pieces.append((file, position, start..<families[position].samples.count))
                for name in names { piecesByName[name, default: []].append(pieces.count - 1) }
            }
        }
    }
}

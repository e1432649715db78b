import ArgumentParser

/// The exit codes of ipvs-push (sysexits.h values), documented in the README.
enum ExitStatus {
    /// Everything worked.
    static let success = ExitCode(0)
    /// Wrong command-line usage (swift-argument-parser's validation code).
    static let usage = ExitCode(64)
    /// Input data (an exposition file given to `send`) is malformed: nothing was sent.
    static let badInput = ExitCode(65)
    /// An input file does not exist or cannot be read.
    static let noInput = ExitCode(66)
    /// IPVS could not be read in at least one namespace (the output still has the others).
    static let collectionFailed = ExitCode(69)
    /// The receiver could not be reached (network error, timeout, 5xx) after the retries.
    static let unreachable = ExitCode(75)
    /// The receiver rejected the data (4xx); its answer is shown.
    static let rejected = ExitCode(76)
    /// The configuration (file, flags, environment) is invalid.
    static let configuration = ExitCode(78)
}

import Agent
import ArgumentParser
import PushGateway

/// Turns push outcomes into messages on standard error and the exit code.
enum PushOutcomes {
    /// Reports every failed group; returns the exit code the failures call for (nil
    /// when all were accepted): rejected (76) before unreachable (75).
    static func report(_ outcomes: [PushGatewaySink.GroupOutcome], dataIsUserInput: Bool = false) -> ExitCode? {
        var worst: ExitCode?
        for outcome in outcomes {
            guard case .failure(let error) = outcome.result else { continue }
            StandardStreams.error("push to \(outcome.group.path) failed: \(error)")
            let code: ExitCode
            switch error {
            case .rejected: code = ExitStatus.rejected
            case .unreachable, .cancelled: code = ExitStatus.unreachable
            case .clashingLabel: code = dataIsUserInput ? ExitStatus.badInput : ExitStatus.configuration
            case .invalidGroupingKey, .configuration: code = ExitStatus.configuration
            }
            worst = more(worst, code)
        }
        return worst
    }

    private static func rank(_ code: ExitCode) -> Int {
        switch code {
        case ExitStatus.badInput, ExitStatus.configuration: 3
        case ExitStatus.rejected: 2
        case ExitStatus.unreachable: 1
        default: 0
        }
    }

    static func more(_ a: ExitCode?, _ b: ExitCode) -> ExitCode {
        guard let a else { return b }
        return rank(b) > rank(a) ? b : a
    }
}

import Foundation
import TestSupport

/// Files of the repository for the deployment tests (their commands run through
/// TestSupport's ``ShellCommand``).
enum DeploymentCommand {
    /// The package root (Tests/DeploymentTests/ is two levels down).
    static let packageRoot = ProductBinary.packageRoot

    static func repositoryFile(_ relative: String) throws -> String {
        let path = packageRoot.appendingPathComponent(relative).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TestFailure("cannot read \(path)")
        }
        return text
    }
}

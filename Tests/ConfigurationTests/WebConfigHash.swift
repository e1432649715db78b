import Foundation
import TestSupport

/// bcrypt hashes made by Python's crypt module, a program apart from the server.
enum WebConfigHash {
    static func make(_ password: String) throws -> String {
        let result = try ChildProcess.runBlocking(
            "/usr/bin/python3",
            [
                "-W", "ignore", "-c",
                "import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))",
                password,
            ])
        let hash = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard hash.hasPrefix("$2") else { throw TestFailure("python3 crypt made no hash: \(hash)") }
        return hash
    }
}

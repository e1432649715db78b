import Foundation
import TestSupport

/// bcrypt hashes made by Python's crypt module, a program apart from the server.
enum WebConfigHash {
    static func make(_ password: String) throws -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-W", "ignore", "-c",
            "import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))",
            password,
        ]
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let hash = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard hash.hasPrefix("$2") else { throw TestFailure("python3 crypt made no hash: \(hash)") }
        return hash
    }
}

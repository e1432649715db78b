import CCrypt
import NIOConcurrencyHelpers
import NIOPosix

/// Checks `Authorization: Basic` credentials against the bcrypt hashes of
/// `basic_auth_users`, the way exporter-toolkit does:
///
/// - bcrypt runs through libxcrypt's `crypt_rn` on NIO's thread pool, never on an event
///   loop or the concurrency pool, one check at a time (bcrypt is slow on purpose, and a
///   flood of guesses should cost one core, not all of them);
/// - an unknown user is checked against a decoy hash of the highest configured cost, so
///   the answer takes as long as for a known user with a wrong password;
/// - the computed hash is compared with the stored one in constant time;
/// - accepted credentials are remembered (see ``VerifiedCredentialCache``) so that a
///   scraper sending the same password every few seconds pays bcrypt once. Refusals are
///   not remembered: every wrong guess costs a full bcrypt.
final class BasicAuthVerifier: Sendable {
    /// How a request's credentials fared.
    enum Outcome: Sendable, Equatable {
        case granted(user: String)
        /// No `Authorization` header.
        case noCredentials
        /// An `Authorization` header that is not well-formed Basic credentials.
        case malformedCredentials
        /// A wrong password or an unknown user: the response does not say which.
        case rejected(user: String, knownUser: Bool)
    }

    let users: [String: BcryptHash]
    private let decoyHash: String
    private let cache = VerifiedCredentialCache()
    private let bcryptTurn = NIOLockedValueBox(())
    private let threadPool: NIOThreadPool

    init(users: [String: BcryptHash], threadPool: NIOThreadPool = .singleton) {
        self.users = users
        self.threadPool = threadPool
        let cost = users.values.map(\.cost).max() ?? 10
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let body = String((0..<53).map { _ in alphabet.randomElement(using: &generator)! })
        decoyHash = "$2b$" + (cost < 10 ? "0" : "") + String(cost) + "$" + body
    }

    /// Checks the value of a request's `Authorization` header.
    func verify(authorization: String?) async -> Outcome {
        guard let authorization else { return .noCredentials }
        guard let credentials = BasicAuthCredentials(authorization: authorization) else {
            return .malformedCredentials
        }
        let stored = users[credentials.user]
        let hash = stored?.text ?? decoyHash
        let key = cache.key(user: credentials.user, storedHash: hash, password: credentials.password)
        if stored != nil && cache.contains(key) {
            return .granted(user: credentials.user)
        }
        let password = credentials.password
        let matches =
            (try? await threadPool.runIfActive {
                self.bcryptTurn.withLockedValue { _ in Self.bcryptMatches(password: password, hash: hash) }
            }) ?? false
        guard matches, stored != nil else {
            return .rejected(user: credentials.user, knownUser: stored != nil)
        }
        cache.insert(key)
        return .granted(user: credentials.user)
    }

    /// Whether `password` hashes to `hash` under the salt and cost `hash` carries.
    static func bcryptMatches(password: [UInt8], hash: String) -> Bool {
        // crypt_rn reads a C string: a password with a NUL in it could never be the one hashed.
        guard !password.contains(0) else { return false }
        let size = MemoryLayout<crypt_data>.size
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        CCrypt_wipe(data, size)
        var phrase = password + [0]
        defer {
            CCrypt_wipe(data, size)
            data.deallocate()
            phrase.withUnsafeMutableBytes { CCrypt_wipe($0.baseAddress, $0.count) }
        }
        let computed = phrase.withUnsafeBytes { phraseBytes in
            hash.withCString { setting in
                crypt_rn(phraseBytes.baseAddress!.assumingMemoryBound(to: CChar.self), setting, data, Int32(size))
                    .map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
            }
        }
        guard let computed else { return false }
        return constantTimeEqual(computed, Array(hash.utf8))
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

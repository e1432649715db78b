import NIOConcurrencyHelpers

/// Remembers which credentials passed bcrypt, as exporter-toolkit's cache does, but keyed
/// by a salted SHA-256 of (user, stored hash, password) instead of the password itself:
/// what stays in memory cannot be read back as a password, and a changed hash (a reload)
/// no longer matches.
///
/// It holds at most ``capacity`` entries; when full, a tenth of them, picked at random, make room.
final class VerifiedCredentialCache: Sendable {
    static let capacity = 100
    private let salt: [UInt8]
    private let entries = NIOLockedValueBox<Set<[UInt8]>>([])

    init() {
        var generator = SystemRandomNumberGenerator()
        salt = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The cache key of one attempt.
    func key(user: String, storedHash: String, password: [UInt8]) -> [UInt8] {
        var input = salt
        for field in [Array(user.utf8), Array(storedHash.utf8)] {
            let count = UInt32(field.count)
            input += [
                UInt8(count >> 24 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF),
            ]
            input += field
        }
        input += password
        return SHA256.hash(input)
    }

    func contains(_ key: [UInt8]) -> Bool {
        entries.withLockedValue { $0.contains(key) }
    }

    func insert(_ key: [UInt8]) {
        entries.withLockedValue { entries in
            if entries.count >= Self.capacity {
                for _ in 0..<max(entries.count / 10, 1) {
                    if let victim = entries.randomElement() { entries.remove(victim) }
                }
            }
            entries.insert(key)
        }
    }

    var count: Int { entries.withLockedValue { $0.count } }
}

/// Why a text is not a usable bcrypt hash (see ``BcryptHash/init(_:)``). The reason never
/// quotes the hash.
public struct InvalidBcryptHash: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and how to make a good hash.
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

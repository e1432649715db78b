/// A bcrypt password hash as `basic_auth_users` holds them (`$2y$10$` followed by 22
/// characters of salt and 31 of hash), checked for form when it is made so that a
/// mistyped hash is reported when the configuration is read, not as a refused login.
///
/// The text is not secret the way a password is, but it is not shown either:
/// ``description`` gives only the variant and the cost.
public struct BcryptHash: Sendable, Hashable, CustomStringConvertible {
    /// The hash as written, e.g. `$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG`.
    public let text: String
    /// The cost: the hash takes 2^cost rounds to compute.
    public let cost: Int

    private static let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// Checks the form of `text`: the `$2a$`, `$2b$` or `$2y$` prefix, a two-digit cost from
    /// 04 to 31, and 53 characters of bcrypt's base64 alphabet.
    public init(_ text: String) throws(InvalidBcryptHash) {
        let bytes = Array(text.utf8)
        let howToMake = "make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n'"
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]), bytes[3] == UInt8(ascii: "$")
        else {
            throw InvalidBcryptHash("it is not a bcrypt hash: it must start with $2a$, $2b$ or $2y$ (\(howToMake))")
        }
        guard bytes.count >= 7, let tens = Self.digit(bytes[4]), let ones = Self.digit(bytes[5]),
            bytes[6] == UInt8(ascii: "$")
        else {
            throw InvalidBcryptHash(
                "the cost after \(String(decoding: bytes[0..<4], as: UTF8.self)) must be two digits and a $, as in $2y$10$"
            )
        }
        let cost = tens * 10 + ones
        guard (4...31).contains(cost) else {
            throw InvalidBcryptHash("the cost \(cost) is outside bcrypt's range 4 to 31 (10 is usual)")
        }
        let rest = bytes[7...]
        guard rest.count == 53 else {
            throw InvalidBcryptHash(
                "it has \(rest.count) characters after the cost where bcrypt has 53 (22 of salt, 31 of hash); "
                    + "was it cut or quoted wrongly? (\(howToMake))")
        }
        if let bad = rest.first(where: { !Self.alphabet.contains($0) }) {
            let shown = bad >= 0x21 && bad < 0x7F ? "'\(Character(Unicode.Scalar(bad)))'" : "byte \(bad)"
            throw InvalidBcryptHash("it contains \(shown), which is not in bcrypt's alphabet ./A-Za-z0-9")
        }
        self.text = text
        self.cost = cost
    }

    /// The variant and cost only, e.g. `bcrypt $2y$ cost 10`.
    public var description: String {
        "bcrypt \(text.prefix(4)) cost \(cost)"
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}

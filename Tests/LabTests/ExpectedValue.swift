/// What a dumped sample must equal: exactly ipvsadm's number, or (when ipvsadm's readings
/// before and after the dump differ) a number between them.
enum ExpectedValue: Sendable, Hashable, CustomStringConvertible {
    case exact(Double)
    case between(Double, Double)

    /// `after` when both readings agree, else the range they span.
    static func reading(after: UInt64, before: UInt64) -> ExpectedValue {
        after == before ? .exact(Double(after)) : .between(Double(min(after, before)), Double(max(after, before)))
    }

    func accepts(_ value: Double) -> Bool {
        switch self {
        case .exact(let expected): value == expected
        case .between(let low, let high): value >= low && value <= high
        }
    }

    var description: String {
        switch self {
        case .exact(let value): "\(value)"
        case .between(let low, let high): "between \(low) and \(high)"
        }
    }
}

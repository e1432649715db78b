/// An ipvsadm output line the parser does not understand.
struct IPVSAdmParseError: Error, CustomStringConvertible {
    var source: String
    var line: Int
    var text: String
    var reason: String

    var description: String { "\(source):\(line): \(reason): '\(text)'" }
}

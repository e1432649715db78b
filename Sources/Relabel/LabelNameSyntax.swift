import Exposition

/// The label name rules relabeling checks, as Prometheus checks them with its classic
/// (non-UTF-8) name validation.
enum LabelNameSyntax {
    /// `[a-zA-Z_][a-zA-Z0-9_]*`, what a label name must look like.
    static func isValidName(_ name: String) -> Bool { Label.isValidName(name) }

    /// What Prometheus allows as a replace action's `target_label` with references and
    /// as a labelmap `replacement`: word characters and `$name`, `$1`, `${name}`,
    /// `${1}` references, starting with a letter, an underscore or a reference
    /// (Prometheus' pattern `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`).
    static func isValidNameTemplate(_ template: String) -> Bool {
        let bytes = Array(template.utf8)
        guard let first = bytes.first, isLetterOrUnderscore(first) || first == UInt8(ascii: "$") else {
            return false
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "$") {
                index += 1
                let braced = index < bytes.count && bytes[index] == UInt8(ascii: "{")
                if braced { index += 1 }
                let start = index
                while index < bytes.count && isWordCharacter(bytes[index]) { index += 1 }
                guard index > start else { return false }
                if braced {
                    guard index < bytes.count && bytes[index] == UInt8(ascii: "}") else { return false }
                    index += 1
                }
            } else if isWordCharacter(byte) {
                index += 1
            } else {
                return false
            }
        }
        return true
    }

    static func isWordCharacter(_ byte: UInt8) -> Bool {
        isLetterOrUnderscore(byte) || isDigit(byte)
    }

    static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

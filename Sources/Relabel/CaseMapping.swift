/// Lower and upper case as Go's `strings.ToLower`/`ToUpper` (which Prometheus'
/// lowercase and uppercase actions use): one character becomes one character (Unicode's
/// simple case mapping), so `ß` stays `ß` and `ﬁ` stays `ﬁ` where Swift's
/// `uppercased()` writes `SS` and `FI`.
enum CaseMapping {
    static func lowercase(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { result.append(lower(scalar)) }
        return String(result)
    }

    static func uppercase(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.uppercased() }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { result.append(upper(scalar)) }
        return String(result)
    }

    /// The full mapping when it is one character; otherwise the simple mapping, which
    /// for lower case differs only for U+0130 (İ → i).
    private static func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if let single = single(scalar.properties.lowercaseMapping) { return single }
        return scalar.value == 0x130 ? "i" : scalar
    }

    /// The full mapping when it is one character; otherwise the title case mapping when
    /// that is one character (the Greek letters with ypogegrammeni, `ᾳ` → `ᾼ`, whose
    /// simple upper case is their title case); otherwise unchanged (`ß`, `ŉ`, ligatures).
    private static func upper(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if let single = single(scalar.properties.uppercaseMapping) { return single }
        if let title = single(scalar.properties.titlecaseMapping) { return title }
        return scalar
    }

    private static func single(_ mapping: String) -> Unicode.Scalar? {
        var scalars = mapping.unicodeScalars.makeIterator()
        guard let first = scalars.next(), scalars.next() == nil else { return nil }
        return first
    }
}

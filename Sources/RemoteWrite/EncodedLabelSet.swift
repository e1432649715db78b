/// The remote-write 1.0 `TimeSeries.labels` fields of one label set, without the
/// `__name__` pair, shared by every series of the set (the 15 to 20 families of one IPVS
/// service or real server): the 1.0 encoder copies them around the series' own name
/// instead of encoding every label of every sample again.
///
/// Made from the strings, not their interned ids, so the bytes stay right when the
/// interner is rebuilt.
final class EncodedLabelSet: Sendable {
    /// The `Label` fields before and after the place of `__name__`, back to back.
    let bytes: [UInt8]
    /// Where in `bytes` the `__name__` pair goes.
    let nameOffset: Int
    /// The index in a series' `labelIDs` of the `__name__` id (its name's id follows).
    let nameIDIndex: Int

    init(pairs: [(name: String, value: String)], nameIndex: Int) {
        var bytes: [UInt8] = []
        var nameOffset = 0
        for (index, pair) in pairs.enumerated() {
            if index == nameIndex { nameOffset = bytes.count }
            let label = Self.stringFieldSize(pair.name.utf8.count) + Self.stringFieldSize(pair.value.utf8.count)
            bytes.append(WireCursor.tag(1, 2))  // TimeSeries.labels
            Self.appendVarint(UInt64(label), to: &bytes)
            Self.appendString(1, pair.name, to: &bytes)  // Label.name
            Self.appendString(2, pair.value, to: &bytes)  // Label.value
        }
        if nameIndex >= pairs.count { nameOffset = bytes.count }
        self.bytes = bytes
        self.nameOffset = nameOffset
        self.nameIDIndex = 2 * nameIndex
    }

    private static func stringFieldSize(_ length: Int) -> Int { WireCursor.stringFieldSize(length) }

    private static func appendString(_ field: UInt8, _ text: String, to bytes: inout [UInt8]) {
        let length = text.utf8.count
        guard length > 0 else { return }
        bytes.append(WireCursor.tag(field, 2))
        appendVarint(UInt64(length), to: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
}

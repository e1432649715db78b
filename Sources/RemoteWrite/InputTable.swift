/// What each series of the input (a sample's name and labels as the caller made them)
/// resolved to the last time it was met: the row of the series it is sent as, or, with
/// write relabel rules, none because the rules drop it.
///
/// An input is known by the numbers of its sample name and label set (its key, see
/// ``LabelSetIndex``), and usually found without even that: the encoder keeps, per
/// family, the row each sample position had in the last collection, and checks the
/// row's key. Rows are columns of plain values (see ``RawColumn``); a row not met in a
/// collection is freed, and its number may then be reused for another key.
final class InputTable {
    /// The name number in the high 32 bits, the label set number in the low.
    @exclusivity(unchecked) private(set) var key = RawColumn<UInt64>()
    /// The ``SeriesTable`` row it is sent as; ``noSeries`` when the rules drop it.
    @exclusivity(unchecked) private(set) var series = RawColumn<UInt32>()
    @exclusivity(unchecked) var lastSeenCycle = RawColumn<UInt64>()
    /// ``inUse``, ``nameless``.
    @exclusivity(unchecked) private var flags = RawColumn<UInt8>()
    private var rows: [UInt64: UInt32] = [:]
    private var freeRows: [UInt32] = []
    private var rowLimit = 0

    static let noSeries = UInt32.max
    private static let inUse: UInt8 = 1
    /// The write relabel rules removed `__name__`: the series cannot be sent.
    private static let nameless: UInt8 = 2

    deinit {
        key.deallocate()
        series.deallocate()
        lastSeenCycle.deallocate()
        flags.deallocate()
    }

    /// Inputs in use.
    var count: Int { rows.count }

    func reserveCapacity(_ capacity: Int) { rows.reserveCapacity(capacity) }

    /// Whether `row` is in use for `key` (a position remembered from the last collection
    /// may point at a row freed or reused since).
    @inline(__always)
    func holds(_ row: UInt32, key wanted: UInt64) -> Bool {
        Int(row) < rowLimit && key[row] == wanted && flags[row] & Self.inUse != 0
    }

    @inline(__always)
    func isNameless(_ row: UInt32) -> Bool { flags[row] & Self.nameless != 0 }

    func find(_ wanted: UInt64) -> UInt32? { rows[wanted] }

    func add(key wanted: UInt64, series target: UInt32, nameless: Bool) -> UInt32 {
        let row: UInt32
        if let reused = freeRows.popLast() {
            row = reused
        } else {
            row = UInt32(rowLimit)
            let needed = rowLimit + 1
            if needed > key.capacity {
                key.reserve(needed, keeping: rowLimit)
                series.reserve(needed, keeping: rowLimit)
                lastSeenCycle.reserve(needed, keeping: rowLimit)
                flags.reserve(needed, keeping: rowLimit)
            }
            rowLimit = needed
        }
        key[row] = wanted
        series[row] = target
        lastSeenCycle[row] = 0
        flags[row] = Self.inUse | (nameless ? Self.nameless : 0)
        rows[wanted] = row
        return row
    }

    /// Frees every input not met in collection `cycle`.
    func removeUnseen(cycle: UInt64) {
        for row in 0..<rowLimit where flags[row] & Self.inUse != 0 && lastSeenCycle[row] != cycle {
            flags[row] = 0
            rows.removeValue(forKey: key[row])
            freeRows.append(UInt32(row))
        }
    }

    /// Points every input at its series' new row (after ``SeriesTable/renumberBySet(setCount:)``).
    func renumberSeries(_ newRows: [UInt32]) {
        for row in 0..<rowLimit where flags[row] & Self.inUse != 0 && series[row] != Self.noSeries {
            series[row] = newRows[Int(series[row])]
        }
    }

    /// Frees every input.
    func removeAll() {
        for row in 0..<rowLimit { flags[row] = 0 }
        rows.removeAll()
        freeRows.removeAll()
        rowLimit = 0
    }
}

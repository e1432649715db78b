/// Writes one batch as a remote-write 2.0 `io.prometheus.write.v2.Request`
/// (Proto/remote_write_v2.proto) straight into a reused buffer.
///
/// Each request has its own symbol table: `symbols[0]` is "", every other string
/// appears once. Interned ids map to the request's refs through a table indexed by id
/// and stamped with the batch number, so building the table needs no hashing. A first
/// pass assigns the refs (kept in order in a flat array) and sizes every series; the
/// second writes the symbols, then the series. The bytes are those protobuf-c would pack
/// for the same request (fields in number order, proto3 defaults left out).
final class WriteRequestV2Encoder {
    private let packed = WireBuffer()
    /// The refs of the batch's series, in order: each series' label refs, then its
    /// help and unit refs.
    private let refs = Arena<UInt32>()
    /// The size of each series' `TimeSeries` message body (high 32 bits) and of its
    /// packed label refs (low 32 bits).
    private let seriesSizes = Arena<Int>()
    /// The request's symbols, as interned ids, in ref order.
    private let symbols = Arena<UInt32>()
    private var refByID: [UInt32] = []
    private var stampByID: [UInt32] = []
    private var stamp: UInt32 = 0

    /// Packs `batch` and calls `body` with the uncompressed bytes, valid only during
    /// the call.
    func encode<R>(
        _ batch: ArraySlice<PendingSample>, tables: EncodingTables, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        let strings = tables.strings
        let series = tables.series
        let sets = tables.labelSets
        let nameLabelID = tables.nameLabelID
        var refTotal = 0
        for pending in batch { refTotal += sets.seriesIDCount(series.labelSet[pending.series]) + 2 }
        refs.reserve(refTotal)
        seriesSizes.reserve(batch.count)
        // At most every label string plus help and unit per series, plus "".
        symbols.reserve(min(refTotal + 1, strings.count))
        if refByID.count < strings.count {
            let grown = max(strings.count, refByID.count * 2)
            refByID += repeatElement(0, count: grown - refByID.count)
            stampByID += repeatElement(0, count: grown - stampByID.count)
        }
        if stamp == .max {
            stamp = 0
            for index in stampByID.indices { stampByID[index] = 0 }
        }
        stamp += 1
        let currentStamp = stamp

        // Raw pointers, read once: the arenas' storage does not move while a batch is encoded.
        let refs = self.refs.base
        let seriesSizes = self.seriesSizes.base
        let symbols = self.symbols.base
        var symbolCount = 0
        return try refByID.withUnsafeMutableBufferPointer { refByID in
            try stampByID.withUnsafeMutableBufferPointer { stampByID in
                try strings.withStrings { pointers, lengths in
                    let table = SymbolTable(
                        refByID: refByID.baseAddress!, stampByID: stampByID.baseAddress!, symbols: symbols,
                        stamp: currentStamp)
                    _ = table.ref(0, count: &symbolCount)

                    // Pass 1: refs and sizes.
                    var total = 0
                    var refIndex = 0
                    var index = 0
                    for pending in batch {
                        let row = pending.series
                        var refsSize = 0
                        sets.forEachID(series.labelSet[row], nameLabelID: nameLabelID, nameID: series.nameID[row]) {
                            id in
                            let assigned = table.ref(id, count: &symbolCount)
                            refs[refIndex] = assigned
                            refIndex += 1
                            refsSize += WireCursor.varintSize(UInt64(assigned))
                        }
                        let metadata = series.metadata[row]
                        let help = table.ref(metadata.helpID, count: &symbolCount)
                        let unit = table.ref(metadata.unitID, count: &symbolCount)
                        refs[refIndex] = help
                        refs[refIndex + 1] = unit
                        refIndex += 2
                        let sample = WireCursor.sampleBodySize(value: pending.value, timestamp: pending.timestamp)
                        let metadataSize = Self.metadataSize(
                            type: UInt64(metadata.typeCode), help: help, unit: unit)
                        let series =
                            (refsSize > 0 ? 1 + WireCursor.varintSize(refsSize) + refsSize : 0)
                            + 1 + WireCursor.varintSize(sample) + sample
                            + 1 + WireCursor.varintSize(metadataSize) + metadataSize
                        // The series' size, and its label refs' size (both below 2^32).
                        seriesSizes[index] = series << 32 | refsSize
                        total += 1 + WireCursor.varintSize(series) + series
                        index += 1
                    }
                    for symbol in 0..<symbolCount {
                        let length = lengths[Int(symbols[symbol])]
                        total += 1 + WireCursor.varintSize(length) + length
                    }

                    // Pass 2: the symbols (field 4), then the series (field 5).
                    packed.count = 0
                    packed.ensure(total)
                    var cursor = packed.cursor
                    for symbol in 0..<symbolCount {
                        let id = Int(symbols[symbol])
                        cursor.byte(WireCursor.tag(4, 2))  // Request.symbols; "" too
                        cursor.varint(lengths[id])
                        cursor.bytes(pointers[id], count: lengths[id])
                    }
                    refIndex = 0
                    index = 0
                    for pending in batch {
                        let row = pending.series
                        let labelRefCount = sets.seriesIDCount(series.labelSet[row])
                        let sizes = seriesSizes[index]
                        let refsSize = sizes & 0xFFFF_FFFF
                        cursor.byte(WireCursor.tag(5, 2))  // Request.timeseries
                        cursor.varint(sizes >> 32)
                        if labelRefCount > 0 {
                            cursor.byte(WireCursor.tag(1, 2))  // TimeSeries.labels_refs, packed
                            cursor.varint(refsSize)
                            for offset in 0..<labelRefCount { cursor.varint(UInt64(refs[refIndex + offset])) }
                        }
                        let help = refs[refIndex + labelRefCount]
                        let unit = refs[refIndex + labelRefCount + 1]
                        refIndex += labelRefCount + 2
                        let sample = WireCursor.sampleBodySize(value: pending.value, timestamp: pending.timestamp)
                        cursor.byte(WireCursor.tag(2, 2))  // TimeSeries.samples
                        cursor.varint(sample)
                        cursor.sampleBody(value: pending.value, timestamp: pending.timestamp)
                        let type = UInt64(series.metadata[row].typeCode)
                        cursor.byte(WireCursor.tag(5, 2))  // TimeSeries.metadata
                        cursor.varint(Self.metadataSize(type: type, help: help, unit: unit))
                        if type != 0 {
                            cursor.byte(WireCursor.tag(1, 0))
                            cursor.varint(type)
                        }
                        if help != 0 {
                            cursor.byte(WireCursor.tag(3, 0))
                            cursor.varint(UInt64(help))
                        }
                        if unit != 0 {
                            cursor.byte(WireCursor.tag(4, 0))
                            cursor.varint(UInt64(unit))
                        }
                        index += 1
                    }
                    packed.advance(to: cursor)
                    precondition(packed.count == total, "wrote \(packed.count) bytes of a \(total)-byte 2.0 request")
                    return try body(packed.bytes)
                }
            }
        }
    }

    /// The size of a `Metadata` message's body.
    @inline(__always)
    private static func metadataSize(type: UInt64, help: UInt32, unit: UInt32) -> Int {
        (type != 0 ? 1 + WireCursor.varintSize(type) : 0)
            + (help != 0 ? 1 + WireCursor.varintSize(UInt64(help)) : 0)
            + (unit != 0 ? 1 + WireCursor.varintSize(UInt64(unit)) : 0)
    }
}

/// The request's symbol table while a batch is encoded: the ref of each interned id,
/// valid when the id's stamp is the batch's.
private struct SymbolTable {
    let refByID: UnsafeMutablePointer<UInt32>
    let stampByID: UnsafeMutablePointer<UInt32>
    let symbols: UnsafeMutablePointer<UInt32>
    let stamp: UInt32

    /// The ref of `id`, added as symbol number `count` when the request has none yet.
    @inline(__always)
    func ref(_ id: UInt32, count: inout Int) -> UInt32 {
        let slot = Int(id)
        if stampByID[slot] == stamp { return refByID[slot] }
        let assigned = UInt32(truncatingIfNeeded: count)
        stampByID[slot] = stamp
        refByID[slot] = assigned
        symbols[count] = id
        count += 1
        return assigned
    }
}

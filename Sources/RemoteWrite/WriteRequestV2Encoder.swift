/// Writes one batch as a remote-write 2.0 `io.prometheus.write.v2.Request`
/// (Proto/remote_write_v2.proto) straight into reused buffers.
///
/// Each request has its own symbol table: `symbols[0]` is "", every other string
/// appears once, numbered in the order the series first use it. Interned ids map to the
/// request's refs through a table indexed by id and stamped with the batch number, so
/// building the table needs no hashing. The batch holds the series of one label set side
/// by side (``SeriesTable/forEachRowBySet(setCount:_:)``): the set's refs are looked up
/// and varint-encoded once per run of its series, and each series copies them around
/// its own `__name__` refs. The series are written as they come, into a buffer of their
/// own; the request is then the symbols followed by that buffer. The bytes are those
/// protobuf-c would pack for the same request (fields in number order, proto3 defaults
/// left out).
final class WriteRequestV2Encoder {
    private let packed = WireBuffer()
    private let seriesBytes = WireBuffer()
    /// The packed label refs of the current run's label set, without the `__name__` pair.
    private let runRefs = WireBuffer(capacity: 1024)
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
        // At most every string once, plus "".
        symbols.reserve(strings.count + 1)
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
        let symbols = self.symbols.base
        let seriesBytes = self.seriesBytes
        let runRefs = self.runRefs

        return try refByID.withUnsafeMutableBufferPointer { refByID in
            try stampByID.withUnsafeMutableBufferPointer { stampByID in
                try strings.withStrings { pointers, lengths in
                    let table = SymbolTable(
                        refByID: refByID.baseAddress!, stampByID: stampByID.baseAddress!, symbols: symbols,
                        stamp: currentStamp)
                    var symbolCount = 0
                    _ = table.ref(0, count: &symbolCount)
                    seriesBytes.count = 0
                    var runSet = UInt32.max
                    // Bytes of the run's refs before the place of `__name__`; -1: the set has its own.
                    var runNameOffset = -1

                    for pending in batch {
                        let row = pending.series
                        let set = series.labelSet[row]
                        let nameID = series.nameID[row]
                        var nameRefs: (UInt32, UInt32) = (0, 0)
                        if set != runSet {
                            // A new run: the set's refs, in label order, the first series'
                            // `__name__` pair taking its place among them.
                            runSet = set
                            runRefs.count = 0
                            runNameOffset = -1
                            let start = sets.ids.base + sets.idStart[set]
                            let count = Int(sets.idCount[set])
                            let slot = Int(sets.nameSlot[set])
                            for index in 0..<count {
                                if index == slot {
                                    runNameOffset = runRefs.count
                                    nameRefs = (
                                        table.ref(nameLabelID, count: &symbolCount),
                                        table.ref(nameID, count: &symbolCount)
                                    )
                                }
                                runRefs.ensure(5)
                                var cursor = runRefs.cursor
                                cursor.varint(UInt64(table.ref(start[index], count: &symbolCount)))
                                runRefs.advance(to: cursor)
                            }
                            if slot >= count {
                                runNameOffset = runRefs.count
                                nameRefs = (
                                    table.ref(nameLabelID, count: &symbolCount), table.ref(nameID, count: &symbolCount)
                                )
                            }
                        } else if runNameOffset >= 0 {
                            nameRefs = (
                                table.ref(nameLabelID, count: &symbolCount), table.ref(nameID, count: &symbolCount)
                            )
                        }
                        var refsSize = runRefs.count
                        if runNameOffset >= 0 {
                            refsSize +=
                                WireCursor.varintSize(UInt64(nameRefs.0)) + WireCursor.varintSize(UInt64(nameRefs.1))
                        }
                        let metadata = series.metadata[row]
                        let help = table.ref(metadata.helpID, count: &symbolCount)
                        let unit = table.ref(metadata.unitID, count: &symbolCount)
                        let type = UInt64(metadata.typeCode)
                        let metadataSize = Self.metadataSize(type: type, help: help, unit: unit)
                        let sample = WireCursor.sampleBodySize(value: pending.value, timestamp: pending.timestamp)
                        let size =
                            (refsSize > 0 ? 1 + WireCursor.varintSize(refsSize) + refsSize : 0)
                            + 1 + WireCursor.varintSize(sample) + sample
                            + 1 + WireCursor.varintSize(metadataSize) + metadataSize
                        seriesBytes.ensure(1 + WireCursor.varintSize(size) + size)
                        var cursor = seriesBytes.cursor
                        cursor.byte(WireCursor.tag(5, 2))  // Request.timeseries
                        cursor.varint(size)
                        if refsSize > 0 {
                            cursor.byte(WireCursor.tag(1, 2))  // TimeSeries.labels_refs, packed
                            cursor.varint(refsSize)
                            let refs = UnsafeRawPointer(runRefs.base)
                            if runNameOffset >= 0 {
                                cursor.bytes(refs, count: runNameOffset)
                                cursor.varint(UInt64(nameRefs.0))
                                cursor.varint(UInt64(nameRefs.1))
                                cursor.bytes(refs + runNameOffset, count: runRefs.count - runNameOffset)
                            } else {
                                cursor.bytes(refs, count: runRefs.count)
                            }
                        }
                        cursor.byte(WireCursor.tag(2, 2))  // TimeSeries.samples
                        cursor.varint(sample)
                        cursor.sampleBody(value: pending.value, timestamp: pending.timestamp)
                        cursor.byte(WireCursor.tag(5, 2))  // TimeSeries.metadata
                        cursor.varint(metadataSize)
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
                        seriesBytes.advance(to: cursor)
                    }

                    // The symbols (field 4), then the series (field 5).
                    var total = seriesBytes.count
                    for symbol in 0..<symbolCount {
                        let length = lengths[Int(symbols[symbol])]
                        total += 1 + WireCursor.varintSize(length) + length
                    }
                    packed.count = 0
                    packed.ensure(total)
                    var cursor = packed.cursor
                    for symbol in 0..<symbolCount {
                        let id = Int(symbols[symbol])
                        cursor.byte(WireCursor.tag(4, 2))  // Request.symbols; "" too
                        cursor.varint(lengths[id])
                        cursor.bytes(pointers[id], count: lengths[id])
                    }
                    cursor.bytes(seriesBytes.base, count: seriesBytes.count)
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

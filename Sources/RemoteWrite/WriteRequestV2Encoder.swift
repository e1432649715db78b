/// Writes one batch as a remote-write 2.0 `io.prometheus.write.v2.Request`
/// (Proto/remote_write_v2.proto) straight into reused buffers.
///
/// Each request has its own symbol table: `symbols[0]` is "", every other string
/// appears once, numbered in the order the series first use it. Interned ids map to the
/// request's refs through columns indexed by id and stamped with the batch number, so
/// building the table needs no hashing. The batch holds the series of one label set side
/// by side (``SeriesTable/forEachRowBySet(setCount:_:)``): the set's refs are looked up
/// and varint-encoded once per run of its series, and each series copies them around
/// its own `__name__` refs; those refs and each family's metadata field are encoded once
/// per batch too. The series are written as they come, into a buffer of their own; the
/// request is then the symbols followed by that buffer. The bytes are those protobuf-c
/// would pack for the same request (fields in number order, proto3 defaults left out).
final class WriteRequestV2Encoder {
    private let packed = WireBuffer()
    private let seriesBytes = WireBuffer()
    /// The packed label refs of the current run's label set, without the `__name__` pair.
    private let runRefs = WireBuffer(capacity: 1024)
    /// The request's symbols, as interned ids, in ref order.
    private let symbols = Arena<UInt32>()
    /// Per interned id: its ref in the batch stamped in `refStamp`; as a series name, its
    /// packed (`__name__`, name) refs (batch in `nameStamp`); as a family name, its
    /// `TimeSeries.metadata` field (batch in `familyStamp`).
    private var refByID = RawColumn<UInt32>()
    private var refStamp = RawColumn<UInt32>()
    private var nameRefs = RawColumn<ShortBytes>()
    private var nameStamp = RawColumn<UInt32>()
    private var metadataField = RawColumn<ShortBytes>()
    private var familyStamp = RawColumn<UInt32>()
    private var idLimit = 0
    private var stamp: UInt32 = 0

    deinit {
        for column in [refByID, refStamp, nameStamp, familyStamp] { column.deallocate() }
        nameRefs.deallocate()
        metadataField.deallocate()
    }

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
        prepareColumns(ids: strings.count)
        let table = SymbolTable(
            refByID: refByID.base, stampByID: refStamp.base, symbols: symbols.base, stamp: stamp)
        let stamp = self.stamp
        let nameRefs = self.nameRefs
        let nameStamp = self.nameStamp
        let metadataField = self.metadataField
        let familyStamp = self.familyStamp
        let seriesBytes = self.seriesBytes
        let runRefs = self.runRefs
        let symbols = self.symbols.base

        return try strings.withStrings { pointers, lengths in
            var symbolCount = 0
            _ = table.ref(0, count: &symbolCount)
            seriesBytes.count = 0
            var runSet = UInt32.max
            // Bytes of the run's refs before the place of `__name__`; -1: the set has its own.
            var runNameOffset = -1
            var timestamp = Int64.min
            var timestampField = ShortBytes()

            for pending in batch {
                let row = pending.series
                let set = series.labelSet[row]
                let nameID = series.nameID[row]
                if set != runSet {
                    // A new run: the set's refs, in label order, the first series'
                    // `__name__` pair taking its place among them (the symbols are
                    // numbered in the order the labels list them).
                    runSet = set
                    runRefs.count = 0
                    runNameOffset = -1
                    let start = sets.ids.base + sets.idStart[set]
                    let count = Int(sets.idCount[set])
                    let slot = Int(sets.nameSlot[set])
                    for index in 0...count {
                        if index == slot {
                            runNameOffset = runRefs.count
                            if nameStamp[nameID] != stamp {
                                nameStamp[nameID] = stamp
                                nameRefs[nameID] = Self.refs(
                                    table.ref(nameLabelID, count: &symbolCount), table.ref(nameID, count: &symbolCount))
                            }
                        }
                        guard index < count else { break }
                        runRefs.ensure(5)
                        var cursor = runRefs.cursor
                        cursor.varint(UInt64(table.ref(start[index], count: &symbolCount)))
                        runRefs.advance(to: cursor)
                    }
                } else if runNameOffset >= 0, nameStamp[nameID] != stamp {
                    nameStamp[nameID] = stamp
                    nameRefs[nameID] = Self.refs(
                        table.ref(nameLabelID, count: &symbolCount), table.ref(nameID, count: &symbolCount))
                }
                let name = runNameOffset >= 0 ? nameRefs[nameID] : ShortBytes()
                let refsSize = runRefs.count + name.count
                let family = series.metadata(of: row)
                let familyID = family.nameID
                if familyStamp[familyID] != stamp {
                    familyStamp[familyID] = stamp
                    metadataField[familyID] = Self.metadataField(
                        type: UInt64(family.typeCode), help: table.ref(family.helpID, count: &symbolCount),
                        unit: table.ref(family.unitID, count: &symbolCount))
                }
                let metadata = metadataField[familyID]
                if pending.timestamp != timestamp {
                    timestamp = pending.timestamp
                    timestampField = ShortBytes()
                    if timestamp != 0 {
                        timestampField.byte(WireCursor.tag(2, 0))  // Sample.timestamp
                        timestampField.varint(UInt64(bitPattern: timestamp))
                    }
                }
                let valueBits = pending.value.bitPattern
                let sample = (valueBits != 0 ? 9 : 0) + timestampField.count
                let size =
                    (refsSize > 0 ? 1 + WireCursor.varintSize(refsSize) + refsSize : 0) + 2 + sample + metadata.count
                seriesBytes.ensure(1 + WireCursor.varintSize(size) + size + 16)
                var cursor = seriesBytes.cursor
                cursor.byte(WireCursor.tag(5, 2))  // Request.timeseries
                cursor.varint(size)
                if refsSize > 0 {
                    cursor.byte(WireCursor.tag(1, 2))  // TimeSeries.labels_refs, packed
                    cursor.varint(refsSize)
                    let refs = UnsafeRawPointer(runRefs.base)
                    if runNameOffset >= 0 {
                        cursor.bytes(refs, count: runNameOffset)
                        cursor.shortBytes(name)
                        cursor.bytes(refs + runNameOffset, count: runRefs.count - runNameOffset)
                    } else {
                        cursor.bytes(refs, count: runRefs.count)
                    }
                }
                cursor.byte(WireCursor.tag(2, 2))  // TimeSeries.samples
                cursor.byte(UInt8(sample))
                if valueBits != 0 {
                    cursor.byte(WireCursor.tag(1, 1))  // Sample.value
                    cursor.fixed64(valueBits)
                }
                cursor.shortBytes(timestampField)
                cursor.shortBytes(metadata)
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

    /// Grows the per-id columns to `ids` interned strings and stamps a new batch.
    private func prepareColumns(ids: Int) {
        if idLimit < ids {
            let grown = max(ids, idLimit * 2)
            refByID.reserve(grown, keeping: idLimit)
            refStamp.reserve(grown, keeping: idLimit)
            nameStamp.reserve(grown, keeping: idLimit)
            familyStamp.reserve(grown, keeping: idLimit)
            nameRefs.reserve(grown, keeping: idLimit)
            metadataField.reserve(grown, keeping: idLimit)
            for id in idLimit..<grown {
                refStamp[id] = 0
                nameStamp[id] = 0
                familyStamp[id] = 0
            }
            idLimit = grown
        }
        if stamp == .max {
            stamp = 0
            for id in 0..<idLimit {
                refStamp[id] = 0
                nameStamp[id] = 0
                familyStamp[id] = 0
            }
        }
        stamp += 1
    }

    /// The packed varints of a (`__name__`, name) ref pair.
    private static func refs(_ name: UInt32, _ value: UInt32) -> ShortBytes {
        var bytes = ShortBytes()
        bytes.varint(UInt64(name))
        bytes.varint(UInt64(value))
        return bytes
    }

    /// A `TimeSeries.metadata` field: the tag, the length and the `Metadata` message.
    private static func metadataField(type: UInt64, help: UInt32, unit: UInt32) -> ShortBytes {
        var body = ShortBytes()
        if type != 0 {
            body.byte(WireCursor.tag(1, 0))
            body.varint(type)
        }
        if help != 0 {
            body.byte(WireCursor.tag(3, 0))
            body.varint(UInt64(help))
        }
        if unit != 0 {
            body.byte(WireCursor.tag(4, 0))
            body.varint(UInt64(unit))
        }
        var field = ShortBytes()
        field.byte(WireCursor.tag(5, 2))  // TimeSeries.metadata
        field.varint(UInt64(body.count))
        field.append(body)
        return field
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

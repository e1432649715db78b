/// Writes one batch as a remote-write 1.0 `prometheus.WriteRequest` (Proto/remote_write_v1.proto)
/// straight into a reused buffer.
///
/// A series' labels are copied from its label set's bytes (``LabelSetStore``, shared by
/// the families of one object) around its own `__name__` field, then the `Sample` is
/// written, in one pass over the batch (the buffer grows to the largest request once and
/// is reused). The bytes are those protobuf-c would pack for the same request (fields in
/// number order, proto3 defaults left out).
final class WriteRequestV1Encoder {
    private let packed = WireBuffer()
    /// The batch number in which each family (by name id) last had its metadata added.
    private var metadataStampByNameID: [UInt32] = []
    private var stamp: UInt32 = 0
    private var familiesInBatch: [FamilyMetadata] = []

    /// Packs `batch` (with the metadata of every family in it) and calls `body` with
    /// the uncompressed bytes, valid only during the call.
    func encode<R>(
        _ batch: ArraySlice<PendingSample>, tables: EncodingTables, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        let strings = tables.strings
        if metadataStampByNameID.count < strings.count {
            let grown = max(strings.count, metadataStampByNameID.count * 2)
            metadataStampByNameID += repeatElement(0, count: grown - metadataStampByNameID.count)
        }
        if stamp == .max {
            stamp = 0
            for index in metadataStampByNameID.indices { metadataStampByNameID[index] = 0 }
        }
        stamp += 1
        let currentStamp = stamp
        familiesInBatch.removeAll(keepingCapacity: true)
        let series = tables.series
        let sets = tables.labelSets
        let nameLabelID = tables.nameLabelID

        return try strings.withStrings { pointers, lengths in
            packed.count = 0
            let nameLabelSize = WireCursor.stringFieldSize(lengths[Int(nameLabelID)])
            metadataStampByNameID.withUnsafeMutableBufferPointer { metadataStamps in
                batch.withUnsafeBufferPointer { batch in
                    for index in batch.indices {
                        let row = batch[index].series
                        let value = batch[index].value
                        let timestamp = batch[index].timestamp
                        let sample = WireCursor.sampleBodySize(value: value, timestamp: timestamp)
                        let set = series.labelSet[row]
                        let setBytes = UnsafeRawPointer(sets.bytes.base + sets.byteStart[set])
                        let setCount = Int(sets.byteCount[set])
                        var labels = setCount
                        // The series' own __name__ field, unless its set has one.
                        var nameField = 0
                        let name = series.nameID[row]
                        if sets.nameSlot[set] >= 0 {
                            nameField = nameLabelSize + WireCursor.stringFieldSize(lengths[Int(name)])
                            labels += 1 + WireCursor.varintSize(nameField) + nameField
                        }
                        let size = labels + 1 + WireCursor.varintSize(sample) + sample
                        packed.ensure(size + 11)
                        var cursor = packed.cursor
                        cursor.byte(WireCursor.tag(1, 2))  // WriteRequest.timeseries
                        cursor.varint(size)
                        if nameField > 0 {
                            let nameOffset = Int(sets.nameByteOffset[set])
                            cursor.bytes(setBytes, count: nameOffset)
                            cursor.byte(WireCursor.tag(1, 2))  // TimeSeries.labels
                            cursor.varint(nameField)
                            cursor.stringField(1, nameLabelID, pointers: pointers, lengths: lengths)  // Label.name
                            cursor.stringField(2, name, pointers: pointers, lengths: lengths)  // Label.value
                            cursor.bytes(setBytes + nameOffset, count: setCount - nameOffset)
                        } else {
                            cursor.bytes(setBytes, count: setCount)
                        }
                        cursor.byte(WireCursor.tag(2, 2))  // TimeSeries.samples
                        cursor.varint(sample)
                        cursor.sampleBody(value: value, timestamp: timestamp)
                        packed.advance(to: cursor)
                        let family = series.metadata(of: row)
                        let nameID = Int(family.nameID)
                        if metadataStamps[nameID] != currentStamp {
                            metadataStamps[nameID] = currentStamp
                            familiesInBatch.append(family)
                        }
                    }
                }
            }
            // The metadata (field 3) of every family in the batch, after the series.
            for family in familiesInBatch {
                let size = Self.metadataSize(family, lengths: lengths)
                packed.ensure(size + 11)
                var cursor = packed.cursor
                cursor.byte(WireCursor.tag(3, 2))  // WriteRequest.metadata
                cursor.varint(size)
                let type = UInt64(family.typeCode)
                if type != 0 {
                    cursor.byte(WireCursor.tag(1, 0))
                    cursor.varint(type)
                }
                cursor.stringField(2, family.metadataNameID, pointers: pointers, lengths: lengths)
                cursor.stringField(4, family.helpID, pointers: pointers, lengths: lengths)
                cursor.stringField(5, family.unitID, pointers: pointers, lengths: lengths)
                packed.advance(to: cursor)
            }
            return try body(packed.bytes)
        }
    }

    /// The size of a `MetricMetadata` message's body.
    private static func metadataSize(_ family: FamilyMetadata, lengths: UnsafeBufferPointer<Int>) -> Int {
        let type = UInt64(family.typeCode)
        return (type != 0 ? 1 + WireCursor.varintSize(type) : 0)
            + WireCursor.stringFieldSize(lengths[Int(family.metadataNameID)])
            + WireCursor.stringFieldSize(lengths[Int(family.helpID)])
            + WireCursor.stringFieldSize(lengths[Int(family.unitID)])
    }
}

extension WireCursor {
    /// A proto3 `string` field holding an interned string; nothing for "" (the default).
    @inline(__always)
    mutating func stringField(
        _ field: UInt8, _ id: UInt32, pointers: UnsafeBufferPointer<UnsafeMutablePointer<CChar>>,
        lengths: UnsafeBufferPointer<Int>
    ) {
        let length = lengths[Int(id)]
        guard length > 0 else { return }
        byte(Self.tag(field, 2))
        varint(length)
        bytes(pointers[Int(id)], count: length)
    }

    /// The size of ``stringField(_:_:pointers:lengths:)`` for a string of `length` bytes.
    @inline(__always)
    static func stringFieldSize(_ length: Int) -> Int {
        length > 0 ? 1 + varintSize(length) + length : 0
    }
}

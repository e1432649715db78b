/// Writes one batch as a remote-write 1.0 `prometheus.WriteRequest` (Proto/remote_write_v1.proto)
/// straight into a reused buffer.
///
/// A series' labels are copied from its label set's bytes (``EncodedLabelSet``, shared by
/// the families of one object) around its own `__name__` pair, or, for a series without
/// one (made by write relabel rules), written from the interned strings; then the
/// `Sample`, in one pass over the batch (the buffer grows to the largest request once and
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
        _ batch: ArraySlice<PendingSample>, strings: StringInterner, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
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

        return try strings.withStrings { pointers, lengths in
            packed.count = 0
            metadataStampByNameID.withUnsafeMutableBufferPointer { metadataStamps in
                batch.withUnsafeBufferPointer { batch in
                    for index in batch.indices {
                        let entry = batch[index].series
                        let value = batch[index].value
                        let timestamp = batch[index].timestamp
                        let sample = WireCursor.sampleBodySize(value: value, timestamp: timestamp)
                        entry.labelIDs.withUnsafeBufferPointer { ids in
                            guard let set = entry.v1Labels else {
                                let labels = Self.labelFieldsSize(ids, lengths: lengths)
                                let series = labels + 1 + WireCursor.varintSize(sample) + sample
                                packed.ensure(series + 11)
                                var cursor = packed.cursor
                                cursor.byte(WireCursor.tag(1, 2))  // WriteRequest.timeseries
                                cursor.varint(series)
                                Self.writeLabelFields(ids, pointers: pointers, lengths: lengths, to: &cursor)
                                cursor.byte(WireCursor.tag(2, 2))  // TimeSeries.samples
                                cursor.varint(sample)
                                cursor.sampleBody(value: value, timestamp: timestamp)
                                packed.advance(to: cursor)
                                return
                            }
                            // The set's labels with this series' __name__ pair in its place.
                            let name = UnsafeBufferPointer(rebasing: ids[set.nameIDIndex..<(set.nameIDIndex + 2)])
                            let labels = set.bytes.count + Self.labelFieldsSize(name, lengths: lengths)
                            let series = labels + 1 + WireCursor.varintSize(sample) + sample
                            packed.ensure(series + 11)
                            var cursor = packed.cursor
                            cursor.byte(WireCursor.tag(1, 2))  // WriteRequest.timeseries
                            cursor.varint(series)
                            set.bytes.withUnsafeBytes { bytes in
                                cursor.bytes(bytes.baseAddress!, count: set.nameOffset)
                                Self.writeLabelFields(name, pointers: pointers, lengths: lengths, to: &cursor)
                                cursor.bytes(bytes.baseAddress! + set.nameOffset, count: bytes.count - set.nameOffset)
                            }
                            cursor.byte(WireCursor.tag(2, 2))  // TimeSeries.samples
                            cursor.varint(sample)
                            cursor.sampleBody(value: value, timestamp: timestamp)
                            packed.advance(to: cursor)
                        }
                        let nameID = Int(entry.metadata.nameID)
                        if metadataStamps[nameID] != currentStamp {
                            metadataStamps[nameID] = currentStamp
                            familiesInBatch.append(entry.metadata)
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
                let type = UInt64(MetricTypeCodes.code(family.type))
                if type != 0 {
                    cursor.byte(WireCursor.tag(1, 0))
                    cursor.varint(type)
                }
                cursor.stringField(2, family.nameID, pointers: pointers, lengths: lengths)
                cursor.stringField(4, family.helpID, pointers: pointers, lengths: lengths)
                cursor.stringField(5, family.unitID, pointers: pointers, lengths: lengths)
                packed.advance(to: cursor)
            }
            return try body(packed.bytes)
        }
    }

    /// The size of the `TimeSeries.labels` fields (field 1, one `Label` message per
    /// pair) of a series' sorted (name, value) id pairs.
    @inline(__always)
    static func labelFieldsSize(_ ids: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<Int>) -> Int {
        var size = 0
        var pair = 0
        while pair < ids.count {
            let label = WireCursor.stringFieldSize(lengths[Int(ids[pair])])
                + WireCursor.stringFieldSize(lengths[Int(ids[pair + 1])])
            size += 1 + WireCursor.varintSize(label) + label
            pair += 2
        }
        return size
    }

    /// Writes the `TimeSeries.labels` fields of a series' sorted (name, value) id pairs,
    /// straight from the interned strings.
    @inline(__always)
    static func writeLabelFields(
        _ ids: UnsafeBufferPointer<UInt32>, pointers: UnsafeBufferPointer<UnsafeMutablePointer<CChar>>,
        lengths: UnsafeBufferPointer<Int>, to cursor: inout WireCursor
    ) {
        var pair = 0
        while pair < ids.count {
            let name = ids[pair]
            let value = ids[pair + 1]
            cursor.byte(WireCursor.tag(1, 2))  // TimeSeries.labels
            cursor.varint(WireCursor.stringFieldSize(lengths[Int(name)]) + WireCursor.stringFieldSize(lengths[Int(value)]))
            cursor.stringField(1, name, pointers: pointers, lengths: lengths)  // Label.name
            cursor.stringField(2, value, pointers: pointers, lengths: lengths)  // Label.value
            pair += 2
        }
    }

    /// The size of a `MetricMetadata` message's body.
    private static func metadataSize(_ family: FamilyMetadata, lengths: UnsafeBufferPointer<Int>) -> Int {
        let type = UInt64(MetricTypeCodes.code(family.type))
        return (type != 0 ? 1 + WireCursor.varintSize(type) : 0)
            + WireCursor.stringFieldSize(lengths[Int(family.nameID)])
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

/// What the batch encoders read while a collection's batches are encoded, on several
/// workers at once: the interned strings, the series rows and their label sets. Nothing
/// changes them meanwhile (the collection encoder waits for the workers).
struct EncodingTables: @unchecked Sendable {
    let strings: StringInterner
    let series: SeriesTable
    let labelSets: LabelSetStore
    /// The interned id of `__name__`.
    let nameLabelID: UInt32
}

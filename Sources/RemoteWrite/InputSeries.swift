/// What a series of the input (a sample's name and labels as the caller made them)
/// resolved to the last time it was met: the entry it is sent as, or, with write
/// relabel rules, nothing because the rules drop it.
///
/// The encoder finds it by the numbers of the sample's name and label set (``key``),
/// and usually without even that: at the position the same family's sample had in the
/// last collection. It is forgotten (``isRemoved``) when a collection does not have it.
final class InputSeries {
    /// The name number in the high 32 bits, the label set number (``LabelSetIndex``) in the low.
    let key: UInt64
    /// The series it is sent as; nil when the write relabel rules drop it.
    let entry: SeriesEntry?
    /// The write relabel rules removed `__name__`: the series cannot be sent.
    let isNameless: Bool
    @exclusivity(unchecked) var lastSeenCycle: UInt64
    /// Forgotten by the encoder: a position cache still holding it must not use it.
    @exclusivity(unchecked) var isRemoved = false

    init(key: UInt64, entry: SeriesEntry?, isNameless: Bool, cycle: UInt64) {
        self.key = key
        self.entry = entry
        self.isNameless = isNameless
        self.lastSeenCycle = cycle
    }
}

import Exposition

/// A family's type, name, help and unit as interned string ids, shared by every
/// sample of the family. Plain values only, so that it can live in a ``RawColumn``.
struct FamilyMetadata: BitwiseCopyable {
    /// The protobuf enum value of the type (``MetricTypeCodes``).
    var typeCode: UInt32
    var nameID: UInt32
    var helpID: UInt32
    var unitID: UInt32

    init(type: MetricType, nameID: UInt32, helpID: UInt32, unitID: UInt32) {
        typeCode = MetricTypeCodes.code(type)
        self.nameID = nameID
        self.helpID = helpID
        self.unitID = unitID
    }
}

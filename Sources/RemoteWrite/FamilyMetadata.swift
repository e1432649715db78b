import Exposition

/// A family's type, name, help and unit as interned string ids, shared by every
/// sample of the family. Plain values only, so that it can live in a ``RawColumn``.
struct FamilyMetadata: BitwiseCopyable {
    /// The protobuf enum value of the type (``MetricTypeCodes``).
    var typeCode: UInt32
    /// The family's own name (unique among the families of a collection).
    var nameID: UInt32
    /// The name 1.0's metadata gives it (``MetricFamily/metadataName``).
    var metadataNameID: UInt32
    var helpID: UInt32
    var unitID: UInt32

    init(type: MetricType, nameID: UInt32, metadataNameID: UInt32, helpID: UInt32, unitID: UInt32) {
        typeCode = MetricTypeCodes.code(type)
        self.nameID = nameID
        self.metadataNameID = metadataNameID
        self.helpID = helpID
        self.unitID = unitID
    }
}

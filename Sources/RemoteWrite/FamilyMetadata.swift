import Exposition

/// A family's type, name, help and unit as interned string ids, shared by every
/// sample of the family.
struct FamilyMetadata {
    var type: MetricType
    var nameID: UInt32
    var helpID: UInt32
    var unitID: UInt32
}

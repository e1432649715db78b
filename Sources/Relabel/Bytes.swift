/// Byte-for-byte string comparison. Go compares label names and values by their bytes;
/// Swift's `==` treats canonically equivalent strings as equal (`"K"` and the Kelvin
/// sign, a precomposed and a decomposed `é`), which relabeling must not.
enum Bytes {
    @inline(__always)
    static func equal(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
    }
}

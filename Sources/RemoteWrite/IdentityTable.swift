/// An open-addressing table from a storage address (or any nonzero word) to a number:
/// cheaper than a `Dictionary` for keys met hundreds of thousands of times. Address 0
/// marks an empty slot (no storage lives there).
final class IdentityTable {
    @exclusivity(unchecked) private var keys: UnsafeMutablePointer<UInt>
    @exclusivity(unchecked) private var values: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private var mask: Int
    @exclusivity(unchecked) private var count = 0

    init(capacity: Int = 1024) {
        let size = max(16, capacity).nextPowerOfTwo
        keys = .allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
        values = .allocate(capacity: size)
        mask = size - 1
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    @inline(__always)
    private func slot(for key: UInt) -> Int {
        // Fibonacci hashing of the address (the low bits of an allocation are mostly zero).
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    @inline(__always)
    func find(_ identity: UnsafeRawPointer) -> UInt32? {
        let key = UInt(bitPattern: identity)
        var index = slot(for: key)
        while true {
            let stored = keys[index]
            if stored == key { return values[index] }
            if stored == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    func insert(_ identity: UnsafeRawPointer, _ value: UInt32) {
        if (count + 1) * 2 > mask + 1 { grow() }
        let key = UInt(bitPattern: identity)
        var index = slot(for: key)
        while keys[index] != 0 && keys[index] != key { index = (index + 1) & mask }
        if keys[index] == 0 { count += 1 }
        keys[index] = key
        values[index] = value
    }

    func removeAll() {
        guard count > 0 else { return }
        keys.update(repeating: 0, count: mask + 1)
        count = 0
    }

    private func grow() {
        let oldKeys = keys
        let oldValues = values
        let oldSize = mask + 1
        let size = oldSize * 2
        keys = .allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
        values = .allocate(capacity: size)
        mask = size - 1
        count = 0
        for index in 0..<oldSize where oldKeys[index] != 0 {
            insert(UnsafeRawPointer(bitPattern: oldKeys[index])!, oldValues[index])
        }
        oldKeys.deallocate()
        oldValues.deallocate()
    }
}

extension Int {
    /// The smallest power of two at least `self` (self > 0).
    fileprivate var nextPowerOfTwo: Int { 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}

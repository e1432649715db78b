/// What every reading of MARK rules promises: non-zero marks, ports and addresses sorted
/// and unique, no empty lists.
public func checkMarks(ports: [UInt32: [UInt16]], addresses: [UInt32: [String]]) {
    for (mark, list) in ports {
        fuzzCheck(mark != 0, "ports for mark 0")
        fuzzCheck(!list.isEmpty, "an empty port list for mark \(mark)")
        fuzzCheck(
            zip(list, list.dropFirst()).allSatisfy { $0 < $1 }, "ports of mark \(mark) not sorted and unique: \(list)")
    }
    for (mark, list) in addresses {
        fuzzCheck(mark != 0, "addresses for mark 0")
        fuzzCheck(!list.isEmpty, "an empty address list for mark \(mark)")
        fuzzCheck(Set(list).count == list.count, "addresses of mark \(mark) not unique: \(list)")
        for address in list {
            let parts = address.split(separator: ".", omittingEmptySubsequences: false)
            fuzzCheck(
                parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }, "mark \(mark) has address \(address)")
        }
    }
}

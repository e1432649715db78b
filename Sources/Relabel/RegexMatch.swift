/// A successful whole-string match: the text of each capture group (0 is the whole
/// string) and the groups' names, for expanding a replacement template.
struct RegexMatch {
    let subject: String
    /// Index 0 is the whole match; nil for a group that took no part in the match.
    let groups: [Range<String.Index>?]
    /// The name of each group (same indexes), nil when unnamed.
    let names: [String?]

    /// The text of group `number`, nil when there is no such group or it did not take part.
    func group(_ number: Int) -> Substring? {
        guard number < groups.count, let range = groups[number] else { return nil }
        return subject[range]
    }

    /// The text of the first group called `name` that took part in the match, as Go does.
    func group(named name: String) -> Substring? {
        for (index, groupName) in names.enumerated() where groupName == name {
            if let range = groups[index] { return subject[range] }
        }
        return nil
    }
}

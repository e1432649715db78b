import ArgumentParser

/// A `NAME=VALUE` argument (`--header`, `--grouping-label`, `--external-label`).
struct NameValue: ExpressibleByArgument, Sendable, Hashable {
    let name: String
    let value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        name = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }
}

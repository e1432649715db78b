// Flags parsed straight into the settings' own value types.
import ArgumentParser
import Configuration

extension PrometheusDuration: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }

    public static var defaultValueDescription: String { "a duration like 15s, 1m30s or 500ms" }
}

extension ByteCount: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}

import Agent
import ArgumentParser
import Configuration
import Exposition
import Foundation
import PushGateway

/// Where and how to push to a Pushgateway.
struct PushGatewayOptions: ParsableArguments, GivenFlags {
    @Option(name: .customLong("pushgateway"), help: ArgumentHelp("The Pushgateway's base URL.", valueName: "url"))
    var urlFlag: String?

    @Option(name: .customLong("job"), help: "The job label of the pushed groups (default: ipvs).")
    var job: String?

    @Option(name: .customLong("instance"), help: "The instance label of the pushed groups (default: the host name).")
    var instance: String?

    @Option(
        name: .customLong("grouping-label"),
        help: ArgumentHelp("Another label of the grouping key (repeatable).", valueName: "name=value"))
    var groupingLabels: [String] = []

    @Option(
        name: .customLong("method"), help: "put replaces the whole group, post only the families pushed (default: put)."
    )
    var method: String?

    @Option(name: .customLong("compression"), help: "none or gzip (Pushgateway 1.5 and later; default: none).")
    var compression: String?

    var given: [SettingKey: [String]] {
        var flags: [SettingKey: [String]] = [:]
        flags.put(.pushgateway, urlFlag)
        flags.put(.job, job)
        flags.put(.instance, instance)
        flags.put(.groupingLabel, groupingLabels)
        flags.put(.method, method)
        flags.put(.compression, compression)
        return flags
    }

    /// The Pushgateway URL from the flag or `IPVS_PUSH_PUSHGATEWAY`.
    var url: String? {
        var layers = SettingLayers(flags: given)
        return layers.string(.pushgateway)
    }

    /// The grouping key without the namespace: job, instance and the extra labels.
    func baseGroup() -> GroupingKey {
        guard
            let settings = (try? AgentSettings.resolve(flags: given, environment: Environment.variables, file: nil))?
                .pushgateway
        else { return GroupingKey(job: "ipvs", labels: []) }
        return settings.baseGroup
    }
}

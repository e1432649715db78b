import Exposition
import TestSupport

/// ipvsadm's view of one network namespace at the moment of a dump, read from the files
/// `Lab/guest/lib.sh`'s `lab_capture_stable` writes, and the series the metric contract
/// says `ipvs-push dump` must print for it.
struct NamespaceTruth: Sendable {
    /// The scenario's short name (`host`, `ingress`).
    var name: String
    /// The `namespace` label: the path given to `--namespace-path`, "" for the agent's own.
    var path: String
    var list: IPVSAdmListing
    var thresholds: IPVSAdmListing
    var stats: IPVSAdmListing
    var statsBefore: IPVSAdmListing
    var rate: IPVSAdmListing
    var rateBefore: IPVSAdmListing
    var persistent: IPVSAdmListing
    var persistentBefore: IPVSAdmListing
    /// Published port per firewall mark, from the namespace's mangle table.
    var markPorts: [UInt32: Int]
    /// Timeouts, sync daemons and sysctls.
    var settings: NamespaceSettings
    /// `ipvsadm -Lnc` after and before the dump, when the dump counted the connection table
    /// (`--connection-states`); nil otherwise.
    var connections: ConnectionListing?
    var connectionsBefore: ConnectionListing?
    /// The netmask of a service ipvsadm lists without one (it prints a netmask only for a
    /// persistent service whose mask is not full): nil for ipvsadm's own default, the full
    /// mask; Docker's libnetwork creates its firewall-mark services with none (0.0.0.0).
    var unlistedNetmask: String?

    /// Reads `ipvsadm.<name>.*` from the truth directory `truth` of a lab run.
    init(
        results: LabResults, truth: String, name: String, path: String, unlistedNetmask: String? = nil,
        connectionStates: Bool = false
    ) throws {
        func listing(_ mode: IPVSAdmMode, _ suffix: String) throws -> IPVSAdmListing {
            let file = "\(truth)/ipvsadm.\(name).\(suffix)"
            return try IPVSAdmParser.parse(try results.text(file), mode: mode, source: results.path(file))
        }
        self.name = name
        self.path = path
        self.unlistedNetmask = unlistedNetmask
        list = try listing(.list, "list")
        thresholds = try listing(.thresholds, "thresholds")
        stats = try listing(.stats, "stats")
        statsBefore = try listing(.stats, "stats.before")
        rate = try listing(.rate, "rate")
        rateBefore = try listing(.rate, "rate.before")
        persistent = try listing(.persistentConnections, "persistent-conn")
        persistentBefore = try listing(.persistentConnections, "persistent-conn.before")
        markPorts = MangleMarkRules.ports(fromSave: try results.text("mangle.\(name)"))
        settings = try NamespaceSettings(
            timeout: try results.text("\(truth)/ipvsadm.\(name).timeout"),
            daemon: try results.text("\(truth)/ipvsadm.\(name).daemon"),
            sysctl: try results.text("\(truth)/sysctl.\(name)"), source: results.path("\(truth)/*.\(name)"))
        if connectionStates {
            func conn(_ suffix: String) throws -> ConnectionListing {
                let file = "\(truth)/ipvsadm.\(name).\(suffix)"
                return try ConnectionListing(try results.text(file), source: results.path(file))
            }
            connections = try conn("conn")
            connectionsBefore = try conn("conn.before")
        }
    }

    /// The per-namespace series: up, services, connection table size, version, then the
    /// timeouts, sync daemons and sysctls.
    /// (`ipvs_collect_duration_seconds` is a timing; ``DumpComparison`` only checks its range.)
    var namespaceSeries: [ExpectedSeries] {
        let labels = Labels(["namespace": path])
        let origin = "namespace '\(path)' (\(name))"
        return [
            ExpectedSeries(name: "ipvs_up", labels: labels, value: .exact(1), origin: origin),
            ExpectedSeries(
                name: "ipvs_services", labels: labels, value: .exact(Double(list.services.count)), origin: origin),
            ExpectedSeries(
                name: "ipvs_connection_table_size", labels: labels, value: .exact(Double(list.connectionTableSize)),
                origin: origin),
            ExpectedSeries(
                name: "ipvs_info", labels: Labels(["namespace": path, "version": list.version]), value: .exact(1),
                origin: origin),
        ] + settings.series(namespace: path, origin: origin)
            + (connections?.series(self, before: connectionsBefore) ?? [])
    }

    /// Every service and real server series, with ipvsadm's numbers.
    func objectSeries() throws -> [ExpectedSeries] {
        var series: [ExpectedSeries] = []
        for service in list.services {
            let key = service.key
            let attributes = try require(service.attributes, "no scheduler for \(key) in ipvsadm -Ln")
            let labels = serviceLabels(key, scheduler: attributes.scheduler)
            let origin = "\(name) \(key)"
            let stats = try find(key, in: stats, "--stats")
            let statsBefore = try find(key, in: statsBefore, "--stats")
            let rate = try find(key, in: rate, "--rate")
            let rateBefore = try find(key, in: rateBefore, "--rate")
            func add(_ metric: String, _ labels: Labels, _ value: ExpectedValue, _ origin: String) {
                series.append(ExpectedSeries(name: metric, labels: labels, value: value, origin: origin))
            }
            for (index, metric) in Self.counterNames.enumerated() {
                add(
                    "ipvs_service_\(metric)_total", labels,
                    .reading(after: stats.numbers[index], before: statsBefore.numbers[index]), origin)
            }
            for (index, metric) in Self.rateNames.enumerated() {
                add(
                    "ipvs_service_\(metric)_per_second", labels,
                    .reading(after: rate.numbers[index], before: rateBefore.numbers[index]), origin)
            }
            add("ipvs_service_destinations", labels, .exact(Double(service.destinations.count)), origin)
            add("ipvs_service_info", labels.merging(infoLabels(key, attributes)), .exact(1), origin)
            if let timeout = attributes.persistence {
                add("ipvs_service_persistence_timeout_seconds", labels, .exact(Double(timeout)), origin)
            }

            let thresholds = try find(key, in: thresholds, "--thresholds")
            let persistent = try find(key, in: persistent, "--persistent-conn")
            let persistentBefore = try find(key, in: persistentBefore, "--persistent-conn")
            for destination in service.destinations {
                let forwarding = try Self.forwardingLabel(destination.forwarding)
                let destinationLabels = labels.merging([
                    "destination_address": destination.address, "destination_port": String(destination.port),
                    "forwarding": forwarding,
                ])
                let origin = "\(origin) -> \(destination.address):\(destination.port)"
                func numbers(_ service: IPVSAdmService, _ mode: String) throws -> [UInt64] {
                    try require(
                        service.destinations.first { $0.address == destination.address && $0.port == destination.port },
                        "real server \(origin) missing from ipvsadm \(mode)"
                    ).numbers
                }
                let weight = destination.numbers[0]
                let limits = try numbers(thresholds, "--thresholds")
                let connections = try numbers(persistent, "--persistent-conn")
                let connectionsBefore = try numbers(persistentBefore, "--persistent-conn (before)")
                add("ipvs_destination_weight", destinationLabels, .exact(Double(weight)), origin)
                add("ipvs_destination_upper_threshold", destinationLabels, .exact(Double(limits[0])), origin)
                add("ipvs_destination_lower_threshold", destinationLabels, .exact(Double(limits[1])), origin)
                for (index, metric) in ["persistent", "active", "inactive"].enumerated() {
                    add(
                        "ipvs_destination_connections_\(metric)", destinationLabels,
                        .reading(after: connections[index + 1], before: connectionsBefore[index + 1]), origin)
                }
                let counters = try numbers(stats, "--stats")
                let countersBefore = try numbers(statsBefore, "--stats")
                let rates = try numbers(rate, "--rate")
                let ratesBefore = try numbers(rateBefore, "--rate")
                for (index, metric) in Self.counterNames.enumerated() {
                    add(
                        "ipvs_destination_\(metric)_total", destinationLabels,
                        .reading(after: counters[index], before: countersBefore[index]), origin)
                }
                for (index, metric) in Self.rateNames.enumerated() {
                    add(
                        "ipvs_destination_\(metric)_per_second", destinationLabels,
                        .reading(after: rates[index], before: ratesBefore[index]), origin)
                }
            }
        }
        return series
    }

    /// ipvsadm's stats columns, in order, as the contract names them.
    static let counterNames = [
        "connections", "incoming_packets", "outgoing_packets", "incoming_bytes", "outgoing_bytes",
    ]
    /// ipvsadm's rate columns (CPS InPPS OutPPS InBPS OutBPS), in order.
    static let rateNames = counterNames

    /// The labels every series of a service carries.
    func serviceLabels(_ key: IPVSAdmServiceKey, scheduler: String) -> Labels {
        let port: String
        if let mark = key.fwmark {
            port = markPorts[mark].map(String.init) ?? ""
        } else {
            port = String(key.port)
        }
        return Labels([
            "namespace": path, "family": key.family,
            "protocol": key.kind == .fwmark ? "" : key.kind.rawValue,
            "address": key.address, "port": port, "fwmark": key.fwmark.map(String.init) ?? "",
            "scheduler": scheduler,
        ])
    }

    /// `flags`, `netmask` and `pe` of `ipvs_service_info`. The kernel reports every listed
    /// service as hashed; ipvsadm prints the sh flag bits under the mh names for mh and as
    /// flag-N for other schedulers; it omits a full netmask.
    func infoLabels(_ key: IPVSAdmServiceKey, _ attributes: IPVSAdmServiceAttributes) -> [String: String] {
        var flags: [String] = []
        if attributes.persistence != nil { flags.append("persistent") }
        flags.append("hashed")
        if attributes.onePacket { flags.append("one-packet") }
        let scheduled = Set(attributes.schedulerFlags)
        if !scheduled.isDisjoint(with: ["sh-fallback", "mh-fallback", "flag-1"]) { flags.append("sh-fallback") }
        if !scheduled.isDisjoint(with: ["sh-port", "mh-port", "flag-2"]) { flags.append("sh-port") }
        let fullMask = key.family == "inet6" ? "128" : "255.255.255.255"
        return [
            "flags": flags.joined(separator: ","), "netmask": attributes.netmask ?? unlistedNetmask ?? fullMask,
            "pe": attributes.persistenceEngine ?? "",
        ]
    }

    /// ipvsadm's forwarding name as the contract's `forwarding` label. ipvsadm prints
    /// `(null)` for a method it cannot name; the only such method the kernel accepts is bypass.
    static func forwardingLabel(_ name: String?) throws -> String {
        switch name {
        case "Masq": "masq"
        case "Local": "local"
        case "Tunnel": "tunnel"
        case "Route": "route"
        case "(null)": "bypass"
        default: throw TestFailure("unknown ipvsadm forwarding name '\(name ?? "none")'")
        }
    }

    private func find(_ key: IPVSAdmServiceKey, in listing: IPVSAdmListing, _ mode: String) throws -> IPVSAdmService {
        try require(listing.service(key), "\(name): service \(key) missing from ipvsadm \(mode)")
    }
}

func require<T>(_ value: T?, _ message: @autoclosure () -> String) throws -> T {
    guard let value else { throw TestFailure(message()) }
    return value
}

extension Labels {
    /// A copy with `extra` added (replacing same-named labels).
    func merging(_ extra: [String: String]) -> Labels {
        Labels(Array(self) + extra.map { Label($0.key, $0.value) })
    }
}

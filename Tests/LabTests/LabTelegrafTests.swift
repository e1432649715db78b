import Exposition
import TestSupport
import Testing

/// `dump --compat telegraf` against ipvsadm: every virtual and real server under Telegraf's
/// names and tags, with ipvsadm's counters, rates and connection counts.
@Suite("IPVS lab: --compat telegraf against ipvsadm", .serialized)
struct LabTelegrafTests {
    @Test("every service and real server, with ipvsadm's numbers under Telegraf's names and tags")
    func telegrafNamesCarryIpvsadmsNumbers() async throws {
        let results = try await LabRun.results()
        #expect(try results.exitStatus("dump.telegraf.prom") == 0)
        let dump = try LabIntegrationTests.parse(results, "dump.telegraf.prom")
        let samples = dump.families.flatMap { family in family.samples.map { (family: family, sample: $0) } }
        #expect(dump.families.allSatisfy { $0.type == .gauge && $0.help == "Telegraf collected metric" })

        /// The one sample of `name` whose labels include `labels` (and `namespace` exactly as given).
        func value(_ name: String, _ labels: [String: String], namespace: String) throws -> Double {
            let matching = samples.filter { entry in
                entry.sample.name == name && entry.sample.labels["namespace"] == (namespace.isEmpty ? nil : namespace)
                    && labels.allSatisfy { entry.sample.labels[$0.key] == $0.value }
            }
            guard matching.count == 1 else {
                throw TestFailure("\(matching.count) samples of \(name) with \(labels) in namespace \"\(namespace)\"")
            }
            return matching[0].sample.value
        }

        var compared = 0
        for truth in try LabIntegrationTests.truths(results, truth: "truth.telegraf") {
            for service in truth.stats.services {
                let key = service.key
                let identity: [String: String]
                let virtual: [String: String]
                if let mark = key.fwmark {
                    identity = ["fwmark": String(mark)]
                    virtual = ["virtual_fwmark": String(mark)]
                } else {
                    identity = ["protocol": key.kind.rawValue, "address": key.address, "port": String(key.port)]
                    virtual = [
                        "virtual_protocol": key.kind.rawValue, "virtual_address": key.address,
                        "virtual_port": String(key.port),
                    ]
                }
                let labels = identity.merging(["address_family": key.family]) { $1 }
                let rate = try require(truth.rate.service(key), "\(key) has no rate line")
                let fields = ["connections", "pkts_in", "pkts_out", "bytes_in", "bytes_out"]
                for (index, field) in fields.enumerated() {
                    #expect(
                        try value("ipvs_virtual_server_" + field, labels, namespace: truth.path)
                            == Double(service.numbers[index]), "\(truth.name) \(key) \(field)")
                }
                // --rate: CPS InPPS OutPPS InBPS OutBPS.
                for (index, field) in [(0, "cps"), (1, "pps_in"), (2, "pps_out")] {
                    #expect(
                        try value("ipvs_virtual_server_" + field, labels, namespace: truth.path)
                            == Double(rate.numbers[index]), "\(truth.name) \(key) \(field)")
                }
                let persistent = try require(truth.persistent.service(key), "\(key) has no persistent-conn line")
                for destination in service.destinations {
                    let real = virtual.merging(["address": destination.address, "port": String(destination.port)]) {
                        $1
                    }
                    for (index, field) in fields.enumerated() {
                        #expect(
                            try value("ipvs_real_server_" + field, real, namespace: truth.path)
                                == Double(destination.numbers[index]), "\(truth.name) \(key) \(real) \(field)")
                    }
                    let counts = try require(
                        persistent.destinations.first {
                            $0.address == destination.address && $0.port == destination.port
                        }, "\(destination.address) has no persistent-conn line")
                    // --persistent-conn: Weight PersistConn ActiveConn InActConn.
                    #expect(
                        try value("ipvs_real_server_active_connections", real, namespace: truth.path)
                            == Double(counts.numbers[2]))
                    #expect(
                        try value("ipvs_real_server_inactive_connections", real, namespace: truth.path)
                            == Double(counts.numbers[3]))
                    compared += 1
                }
                compared += 1
            }
        }
        #expect(compared >= 10, "compared \(compared) services and real servers")
    }
}

import Collector
import FuzzSupport
import ServiceNames

/// The operator's names file (`--names-file`, re-read on SIGHUP). A file that reads must
/// name exactly the services its entries describe.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNamesFile(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    var input = FuzzInput(start, count)
    let text = String(decoding: input.rest(), as: UTF8.self)
    let file: NamesFile
    do throws(NamesFileError) {
        file = try NamesFile.parse(text, file: "names.yml")
    } catch {
        fuzzCheck(!error.problems.isEmpty, "a names file refused without a problem")
        for problem in error.problems { _ = problem.description }
        return 0
    }
    for entry in file.entries {
        fuzzCheck(!entry.name.isEmpty, "an entry without a name")
        let service: VirtualService
        switch entry.target {
        case .address(let transport, let address, let port):
            service = VirtualService(
                family: address.family, transportProtocol: transport, protocolNumber: transport.rawValue,
                address: address, port: port)
        case .firewallMark(let mark, let family):
            service = VirtualService(family: family, firewallMark: mark)
        }
        fuzzCheck(
            file.name(of: service, namespace: entry.namespace ?? "") != nil,
            "the service of entry \(entry.name) (line \(entry.line)) gets no name")
    }
    return 0
}

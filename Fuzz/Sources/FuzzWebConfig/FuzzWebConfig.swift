import Configuration
import FuzzSupport

extension ConfigProblem: PositionedProblem {}

/// exporter-toolkit's web configuration file (`--web.config.file`). Certificate files are
/// not loaded (`checkingFiles: false`): the fuzzer's paths name nothing, and loading
/// PEM files is BoringSSL's parsing, not ours. A file that is refused must say why.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    var input = FuzzInput(start, count)
    let bytes = input.rest()
    let text = String(decoding: bytes, as: UTF8.self)
    do throws(ConfigFileError) {
        let security = try WebConfigFile.parse(
            text, file: "web.yml", directory: ScratchDirectory.path, checkingFiles: false)
        _ = security
    } catch {
        fuzzCheck(!error.problems.isEmpty, "a web configuration refused without a problem")
        checkPositions(error.problems, lineCount: yamlLineCount(bytes))
        _ = error.description
    }
    return 0
}

import Configuration
import FuzzSupport

extension ConfigProblem: PositionedProblem {}

/// The agent's configuration file (`--config.file`, re-read on SIGHUP), through the real
/// `load(path:)`: the input is written to a file in the scratch directory first. A file
/// that is refused must say why, each problem with a position inside the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    var input = FuzzInput(start, count)
    let bytes = input.rest()
    let path = ScratchDirectory.write("ipvs-push.yml", bytes)
    let lineCount = yamlLineCount(bytes)
    do throws(ConfigFileError) {
        let file = try AgentConfigFile.load(path: path)
        for (key, setting) in file.settings {
            if case .file(_, let line, let column, _) = setting.origin {
                fuzzCheck(line >= 1 && line <= lineCount && column >= 1, "\(key) from \(line):\(column)")
            }
        }
    } catch {
        fuzzCheck(!error.problems.isEmpty, "a configuration refused without a problem")
        checkPositions(error.problems, lineCount: lineCount)
        _ = error.description
    }
    return 0
}

import Foundation
import TestSupport

/// What a program did, from `strace -f -o FILE` output (`PID call(arguments) = result` lines):
/// only the lines after the traced program's `execve` of `program` (the wrapper before it,
/// setpriv, is not the program), its threads and its children included.
struct StraceLog {
    struct Call {
        var name: String
        var arguments: String
        var result: String
    }

    var calls: [Call] = []

    init(text: String, program: String) throws {
        var started = false
        var unfinished: [Substring: (String, String)] = [:]
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { continue }
            let pid = line[..<space]
            let rest = line[space...].drop(while: { $0 == " " || $0 == "\t" })
            if !started {
                if rest.hasPrefix("execve(\"") && rest.contains(program) && rest.hasSuffix("= 0") { started = true }
                continue
            }
            if rest.hasPrefix("<... ") {
                // `<... name resumed>...) = result` completes a call cut by another thread's line.
                guard let (name, arguments) = unfinished.removeValue(forKey: pid) else { continue }
                let tail = rest.split(separator: ">", maxSplits: 1).last.map(String.init) ?? ""
                calls.append(Call(name: name, arguments: arguments + tail, result: Self.result(of: tail)))
                continue
            }
            guard let open = rest.firstIndex(of: "("),
                rest[..<open].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            else { continue }  // signals (---), exits (+++)
            let name = String(rest[..<open])
            let arguments = String(rest[rest.index(after: open)...])
            if rest.hasSuffix("<unfinished ...>") {
                unfinished[pid] = (name, String(arguments.dropLast("<unfinished ...>".count)))
            } else {
                calls.append(Call(name: name, arguments: arguments, result: Self.result(of: arguments)))
            }
        }
        guard started else { throw TestFailure("the strace log has no successful execve of \(program)") }
    }

    private static func result(of text: String) -> String {
        guard let range = text.range(of: " = ", options: .backwards) else { return "" }
        return String(text[range.upperBound...])
    }

    var names: Set<String> { Set(calls.map(\.name)) }

    /// The first quoted argument of every call named in `names`.
    func paths(of names: Set<String>) -> [(call: Call, path: String)] {
        calls.filter { names.contains($0.name) }.compactMap { call in
            guard let start = call.arguments.firstIndex(of: "\"") else { return nil }
            let rest = call.arguments[call.arguments.index(after: start)...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return (call, String(rest[..<end]))
        }
    }
}

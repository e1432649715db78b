import Foundation

/// deploy/docker/Dockerfile read into its stages: instructions with continuation lines joined
/// and comment lines dropped, as Docker reads them.
struct Dockerfile {
    struct Instruction {
        var keyword: String
        var arguments: String
    }

    struct Stage {
        var base: String
        var name: String?
        var instructions: [Instruction] = []

        /// The packages of every `apt-get install` in the stage's RUN instructions.
        var aptPackages: [String] {
            instructions.filter { $0.keyword == "RUN" }.flatMap { run in
                run.arguments.components(separatedBy: "&&").flatMap { command -> [String] in
                    let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                    guard let install = words.firstIndex(of: "install"), words.contains("apt-get") else { return [] }
                    return words[(install + 1)...].filter { !$0.hasPrefix("-") }
                }
            }
        }

        func arguments(of keyword: String) -> [String] {
            instructions.filter { $0.keyword == keyword }.map(\.arguments)
        }
    }

    var stages: [Stage] = []

    init(text: String) {
        var logical: [String] = []
        var current = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if line.hasSuffix("\\") {
                current += line.dropLast() + " "
                continue
            }
            current += line
            if !current.trimmingCharacters(in: .whitespaces).isEmpty { logical.append(current) }
            current = ""
        }
        for line in logical {
            let parts = line.split(separator: " ", maxSplits: 1)
            let keyword = parts[0].uppercased()
            let arguments = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
            if keyword == "FROM" {
                let words = arguments.split(separator: " ").map(String.init)
                let name = words.count >= 3 && words[1].uppercased() == "AS" ? words[2] : nil
                stages.append(Stage(base: words[0], name: name))
            } else if !stages.isEmpty {
                stages[stages.count - 1].instructions.append(Instruction(keyword: keyword, arguments: arguments))
            }
        }
    }
}

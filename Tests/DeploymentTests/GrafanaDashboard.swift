import Foundation

/// The parts of deploy/grafana/ipvs-push.json the tests look at.
struct GrafanaDashboard: Decodable {
    struct DataSource: Decodable, Equatable {
        var type: String?
        var uid: String?
    }

    struct Target: Decodable {
        var expr: String
        var refId: String
        var legendFormat: String?
        var datasource: DataSource?
    }

    struct Panel: Decodable {
        var id: Int
        var type: String
        var title: String
        var datasource: DataSource?
        var targets: [Target]?
        var panels: [Panel]?
    }

    struct Variable: Decodable {
        struct Query: Decodable { var query: String }
        var name: String
        var type: String
        var query: QueryValue?
        var includeAll: Bool?
        var allValue: String?
        var datasource: DataSource?
    }

    /// A variable's query: a string (data source variables) or `{"query": ...}`.
    enum QueryValue: Decodable {
        case text(String)
        case object(String)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .object(try container.decode(Variable.Query.self).query)
            }
        }

        var text: String {
            switch self {
            case .text(let text), .object(let text): return text
            }
        }
    }

    struct Templating: Decodable { var list: [Variable] }

    var title: String
    var uid: String
    var panels: [Panel]
    var templating: Templating

    /// Every panel, those inside collapsed rows included.
    var allPanels: [Panel] { panels.flatMap { [$0] + ($0.panels ?? []) } }

    /// `expr` as Prometheus can check it: Grafana's variables replaced by values they can take.
    static func concrete(_ expr: String) -> String {
        expr.replacingOccurrences(of: "$__rate_interval", with: "5m")
            .replacingOccurrences(of: "$__interval", with: "1m")
            .replacingOccurrences(of: "$__range", with: "1h")
            .replacingOccurrences(of: "\"$instance\"", with: "\".*\"")
            .replacingOccurrences(of: "\"$namespace\"", with: "\".*\"")
            .replacingOccurrences(of: "\"$service\"", with: "\".*\"")
    }

    /// The metric names `expr` mentions (the project's, which all start with `ipvs_`).
    static func metricNames(_ expr: String) -> Set<String> {
        var names: Set<String> = []
        var word = ""
        for character in expr + " " {
            if character.isLetter || character.isNumber || character == "_" || character == ":" {
                word.append(character)
            } else {
                if word.hasPrefix("ipvs_") { names.insert(word) }
                word = ""
            }
        }
        return names
    }
}

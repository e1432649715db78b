/// The two text formats ipvs-push writes.
public enum ExpositionFormat: String, Sendable, CaseIterable {
    /// Prometheus text format 0.0.4.
    case prometheus
    /// OpenMetrics 1.0 text.
    case openMetrics = "openmetrics"

    /// The `Content-Type` a server sends with a body in this format.
    public var contentType: String {
        switch self {
        case .prometheus: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Picks the format a scraper asked for in its `Accept` header: OpenMetrics when
    /// it is listed with a higher or equal quality than the text format, else text 0.0.4.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .prometheus }
        var openMetricsQuality = -1.0
        var textQuality = -1.0
        for part in accept.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharactersInSpaces() }
            guard let mediaType = fields.first?.lowercased() else { continue }
            var quality = 1.0
            for parameter in fields.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 1.0
            }
            switch mediaType {
            case "application/openmetrics-text": openMetricsQuality = max(openMetricsQuality, quality)
            case "text/plain", "*/*", "text/*": textQuality = max(textQuality, quality)
            default: break
            }
        }
        return openMetricsQuality > 0 && openMetricsQuality >= textQuality ? .openMetrics : .prometheus
    }
}

extension Substring {
    fileprivate func trimmingCharactersInSpaces() -> String {
        var slice = self[...]
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}

/// The small HTML page served at `/`, linking the telemetry path as other exporters do.
enum LandingPage {
    static func html(title: String, telemetryPath: String) -> String {
        let title = escape(title)
        let path = escape(telemetryPath)
        return """
            <!DOCTYPE html>
            <html>
            <head><meta charset="utf-8"><title>\(title)</title></head>
            <body>
            <h1>\(title)</h1>
            <p>IPVS virtual services and real servers as Prometheus metrics.</p>
            <p><a href="\(path)">Metrics</a></p>
            </body>
            </html>

            """
    }

    private static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

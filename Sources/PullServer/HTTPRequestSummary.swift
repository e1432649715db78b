import NIOHTTP1

/// The parts of a request head the server routes and negotiates on, taken off the event loop.
struct HTTPRequestSummary: Sendable {
    var method: HTTPMethod
    /// The path without query string or fragment.
    var path: String
    /// Every `Accept` header, joined with commas.
    var accept: String?
    var scrapeTimeoutHeader: String?

    init(method: HTTPMethod, uri: String, headers: HTTPHeaders) {
        self.method = method
        let pathEnd = uri.firstIndex { $0 == "?" || $0 == "#" } ?? uri.endIndex
        self.path = String(uri[..<pathEnd])
        let accepts = headers["accept"]
        self.accept = accepts.isEmpty ? nil : accepts.joined(separator: ",")
        self.scrapeTimeoutHeader = headers.first(name: "x-prometheus-scrape-timeout-seconds")
    }

    init(_ head: HTTPRequestHead) {
        self.init(method: head.method, uri: head.uri, headers: head.headers)
    }
}

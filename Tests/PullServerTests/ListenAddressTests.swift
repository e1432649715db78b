import PullServer
import Testing

@Suite("Listen address parsing")
struct ListenAddressTests {
    @Test(
        "Go exporter forms",
        arguments: [
            (":9100", nil as String?, 9100),
            ("127.0.0.1:9100", "127.0.0.1", 9100),
            ("0.0.0.0:80", "0.0.0.0", 80),
            ("[::1]:9100", "::1", 9100),
            ("[::]:0", "::", 0),
            ("localhost:65535", "localhost", 65535),
            ("*:9100", nil, 9100),
            (" :9100 ", nil, 9100),
        ])
    func parses(text: String, host: String?, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test("description reads back", arguments: [":9100", "127.0.0.1:9100", "[::1]:9100", "localhost:1"])
    func roundTrips(text: String) throws {
        #expect(try ListenAddress(parsing: text).description == text)
    }

    @Test(
        "rejects what Go would reject",
        arguments: ["9100", "", ":", "host:", ":http", ":65536", ":-1", "::1:9100", "[::1]", "[::1:9100", "[]:9100"])
    func rejects(text: String) {
        #expect(throws: MetricsServerError.self) { try ListenAddress(parsing: text) }
    }

    @Test("the error names the address and says what to write")
    func errorMessage() {
        do {
            _ = try ListenAddress(parsing: "::1:9100")
            Issue.record("parsed an unbracketed IPv6 address")
        } catch {
            #expect(error.description.contains("\"::1:9100\""))
            #expect(error.description.contains("[::1]:9100"))
        }
    }
}

@Suite("Scrape timeout from X-Prometheus-Scrape-Timeout-Seconds")
struct ScrapeTimeoutTests {
    let configuration = MetricsServerConfiguration(
        defaultScrapeTimeout: .seconds(10), scrapeTimeoutOffset: .milliseconds(500))

    @Test("header less the offset")
    func offset() {
        #expect(configuration.scrapeTimeout(prometheusHeader: "10") == .milliseconds(9500))
        #expect(configuration.scrapeTimeout(prometheusHeader: "2.5") == .seconds(2))
    }

    @Test("at least half the header's value")
    func floor() {
        #expect(configuration.scrapeTimeout(prometheusHeader: "0.6") == .milliseconds(300))
        #expect(configuration.scrapeTimeout(prometheusHeader: "1") == .milliseconds(500))
    }

    @Test("default without a usable header", arguments: [nil, "", "abc", "0", "-3", "NaN", "+Inf"] as [String?])
    func fallback(header: String?) {
        #expect(configuration.scrapeTimeout(prometheusHeader: header) == .seconds(10))
    }
}

import Foundation
import HTTPTransport
import TestSupport
import Testing

@Suite struct TransportUtilityTests {
    @Test func headersLookUpNamesInAnyCase() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain", "X-A": "1"]
        headers.add(name: "x-a", value: "2")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["X-a"] == "1")
        #expect(headers.values(for: "X-A") == ["1", "2"])
        headers.replaceOrAdd(name: "X-A", value: "3")
        #expect(headers.values(for: "x-a") == ["3"])
        let base: HTTPHeaders = ["Content-Type": "a", "Keep": "k"]
        let merged = base.merging(["content-type": "b"])
        #expect(merged["Content-Type"] == "b")
        #expect(merged["keep"] == "k")
        #expect(merged.count == 2)
    }

    @Test func urlRedactionRemovesUserInfoOnly() {
        #expect(
            URLRedaction.redact("https://user:pw@host:9091/metrics/job@base64/x")
                == "https://host:9091/metrics/job@base64/x")
        #expect(URLRedaction.redact("http://user@host/") == "http://host/")
        #expect(URLRedaction.redact("http://host/a@b?c=d@e") == "http://host/a@b?c=d@e")
        #expect(URLRedaction.redact("http://u:p@ss@host") == "http://host")
        #expect(
            URLRedaction.redactAll(in: "proxy http://a:b@p:3128 and https://c:d@q/x")
                == "proxy http://p:3128 and https://q/x")
        #expect(URLRedaction.redact("not a url") == "not a url")
    }

    @Test func gzipRoundTripsAndIsReadableByGzip() throws {
        let text = Array(String(repeating: "ipvs_service_bytes_total{vip=\"10.0.0.1\"} 12345\n", count: 500).utf8)
        let compressed = try Gzip.compress(text)
        #expect(compressed.starts(with: [0x1f, 0x8b]))
        #expect(compressed.count < text.count / 10)
        #expect(try Gzip.decompress(compressed) == text)
        #expect(try Gzip.decompress(Gzip.compress([])) == [])

        // The real gzip tool reads it.
        let path = try temporaryFile("", name: "body.gz")
        try Data(compressed).write(to: URL(fileURLWithPath: path))
        let gunzip = try ChildProcess.runBlocking("/usr/bin/gzip", ["-dc", path])
        #expect(gunzip.status == 0)
        #expect(Array(gunzip.standardOutput) == text)
    }

    @Test func gzipRejectsTruncatedAndInvalidData() throws {
        let compressed = try Gzip.compress(Array("hello hello hello".utf8))
        #expect(throws: GzipError.self) { try Gzip.decompress(Array(compressed.dropLast(6))) }
        #expect(throws: GzipError.self) { try Gzip.decompress(Array("plain".utf8)) }
    }

    @Test func userAgentNamesTheVersion() {
        #expect(IPVSPushVersion.userAgent == "ipvs-push/\(IPVSPushVersion.current)")
        #expect(TransportConfiguration().userAgent == IPVSPushVersion.userAgent)
    }
}

import Logging
import Testing

@testable import Agent

@Suite struct StructuredLogHandlerTests {
    @Test func logfmtQuotesOnlyWhatNeedsIt() {
        let line = StructuredLogHandler.logfmt([
            ("level", "info"), ("msg", "serving metrics"), ("path", "/metrics"), ("empty", ""),
            ("tricky", "a=\"b\"\nc"),
        ])
        #expect(line == #"level=info msg="serving metrics" path=/metrics empty="" tricky="a=\"b\"\nc""#)
    }

    @Test func jsonEscapesControlCharacters() {
        let line = StructuredLogHandler.json([("msg", "tab\there"), ("bell", "\u{7}"), ("quote", "\"\\")])
        #expect(line == #"{"msg":"tab\there","bell":"\u0007","quote":"\"\\"}"#)
    }

    @Test func nestedMetadataIsFlattenedInAFixedOrder() {
        let value: Logger.Metadata.Value = .dictionary(["b": "2", "a": .array(["x", "y"])])
        #expect(StructuredLogHandler.flatten(value) == "{a=[x,y],b=2}")
    }

    @Test func timestampIsRFC3339UTCWithMilliseconds() {
        let stamp = StructuredLogHandler.timestamp()
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        #expect(stamp.contains("T"))
    }
}

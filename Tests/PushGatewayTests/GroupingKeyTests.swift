import Exposition
import PushGateway
import Testing

@Suite struct GroupingKeyTests {
    @Test func plainValuesArePercentEncoded() {
        #expect(GroupingKey(job: "ipvs", ["instance": "lb1"]).path == "/metrics/job/ipvs/instance/lb1")
        #expect(GroupingKey(job: "ipvs", ["site": "eu west"]).path == "/metrics/job/ipvs/site/eu%20west")
        #expect(GroupingKey(job: "a+b", ["v": "100%", "w": "café"]).path == "/metrics/job/a%2Bb/v/100%25/w/caf%C3%A9")
        #expect(GroupingKey(job: "x", ["v": "a-b_c.d~e"]).path == "/metrics/job/x/v/a-b_c.d~e")
    }

    @Test func slashesAndDotSegmentsGoAsURLSafeBase64() {
        #expect(
            GroupingKey(job: "ipvs", ["namespace": "/var/run/netns/a"]).path
                == "/metrics/job/ipvs/namespace@base64/L3Zhci9ydW4vbmV0bnMvYQ")
        #expect(GroupingKey(job: "a/b").path == "/metrics/job@base64/YS9i")
        // '?' and '>' make '/' and '+' in standard base64; the URL-safe alphabet has '_' and '-'.
        #expect(GroupingKey(job: "j", ["v": "/??>"]).path == "/metrics/job/j/v@base64/Lz8_Pg")
        #expect(GroupingKey(job: "j", ["v": "."]).path == "/metrics/job/j/v@base64/Lg")
        #expect(GroupingKey(job: "j", ["v": ".."]).path == "/metrics/job/j/v@base64/Li4")
    }

    @Test func emptyValuesAreBase64Equals() {
        #expect(GroupingKey(job: "ipvs", ["namespace": ""]).path == "/metrics/job/ipvs/namespace@base64/=")
        #expect(GroupingKey(job: "ipvs", ["a": "", "b": "x"]).path == "/metrics/job/ipvs/a@base64/=/b/x")
    }

    @Test func labelsKeepTheirOrder() {
        #expect(GroupingKey(job: "j", ["z": "1", "a": "2"]).path == "/metrics/job/j/z/1/a/2")
    }

    @Test func validationNamesTheProblem() throws {
        try GroupingKey(job: "j", ["instance": "x", "_ok2": ""]).validate()
        let cases: [(GroupingKey, String)] = [
            (GroupingKey(job: ""), "job name is empty"),
            (GroupingKey(job: "j", ["job": "x"]), "\"job\" cannot be a grouping label"),
            (GroupingKey(job: "j", ["1a": "x"]), "\"1a\" is not a valid label name"),
            (GroupingKey(job: "j", ["a-b": "x"]), "\"a-b\" is not a valid label name"),
            (GroupingKey(job: "j", ["__name__": "x"]), "\"__name__\" is reserved"),
            (GroupingKey(job: "j", labels: [Label("a", "1"), Label("a", "2")]), "\"a\" is given twice"),
        ]
        for (key, message) in cases {
            #expect {
                try key.validate()
            } throws: { error in
                guard case .invalidGroupingKey = error as? PushGatewayError else { return false }
                return "\(error)".contains(message)
            }
        }
    }
}

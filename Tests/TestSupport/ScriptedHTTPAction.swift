/// What a `ScriptedHTTPServer` does with one request: answer, or one of the faults a
/// real server cannot be made to produce on demand.
public indirect enum ScriptedHTTPAction: Sendable {
    /// Answers with a `Content-Length` body (none on the wire for a HEAD request).
    case respond(status: Int, headers: ScriptedHTTPHeaders = [:], body: [UInt8] = [])
    /// Closes the connection without an answer.
    case close
    /// Stays silent this long, then does `action`: a slow answer, or with `.close` a hang.
    case after(seconds: Double, ScriptedHTTPAction)

    /// Reads the request and says nothing for this long, then closes the connection.
    public static func hang(seconds: Double) -> ScriptedHTTPAction {
        .after(seconds: seconds, .close)
    }

    /// A text answer (`Content-Type: text/plain` unless `headers` name another).
    public static func text(_ status: Int, _ body: String = "", headers: ScriptedHTTPHeaders = [:])
        -> ScriptedHTTPAction
    {
        var headers = headers
        headers.addIfAbsent("Content-Type", "text/plain; charset=utf-8")
        return .respond(status: status, headers: headers, body: Array(body.utf8))
    }

    /// A JSON answer, as Docker's Engine API gives.
    public static func json(_ body: String, status: Int = 200) -> ScriptedHTTPAction {
        .respond(status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }
}

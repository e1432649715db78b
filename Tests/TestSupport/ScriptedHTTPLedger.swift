import NIOCore
import Synchronization

/// What a `ScriptedHTTPServer` shares with its connections' handlers: the script, the
/// requests so far, and the open connections (to close them at `stop()`). Kept apart
/// from the server so that the handlers do not keep it alive: dropping the server
/// stops it.
final class ScriptedHTTPLedger: Sendable {
    private struct Book {
        var requests: [ScriptedHTTPRequest] = []
        var connectionCount = 0
        var open: [ObjectIdentifier: any Channel] = [:]
        var inFlight = 0
        var mostInFlight = 0
        var stopped = false
    }

    let script: ScriptedHTTPServer.Script
    private let book = Mutex(Book())

    init(script: @escaping ScriptedHTTPServer.Script) {
        self.script = script
    }

    var requests: [ScriptedHTTPRequest] { book.withLock { $0.requests } }
    var mostInFlight: Int { book.withLock { $0.mostInFlight } }

    /// Numbers a new connection from 1; nil when the server is stopping (the caller closes it).
    func opened(_ channel: any Channel) -> Int? {
        book.withLock {
            guard !$0.stopped else { return nil }
            $0.connectionCount += 1
            $0.open[ObjectIdentifier(channel)] = channel
            return $0.connectionCount
        }
    }

    func closed(_ channel: any Channel) {
        _ = book.withLock { $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Records `request` as in flight and returns its index, from 0.
    func received(_ request: ScriptedHTTPRequest) -> Int {
        book.withLock {
            $0.requests.append(request)
            $0.inFlight += 1
            $0.mostInFlight = max($0.mostInFlight, $0.inFlight)
            return $0.requests.count - 1
        }
    }

    func answered() {
        book.withLock { $0.inFlight -= 1 }
    }

    /// Marks the server stopped and returns the connections still open.
    func stop() -> [any Channel]? {
        book.withLock {
            guard !$0.stopped else { return nil }
            $0.stopped = true
            return Array($0.open.values)
        }
    }
}

import Foundation

/// The sender's mutable flags: the protocol in use (2.0 until a fallback) and whether
/// something (`run` or `flush`) is draining the queue.
final class SenderState: @unchecked Sendable {
    private let lock = NSLock()
    private var currentProtocol: RemoteWriteProtocol
    private var draining = false

    init(protocolVersion: RemoteWriteProtocol) {
        currentProtocol = protocolVersion
    }

    var protocolVersion: RemoteWriteProtocol { lock.withLock { currentProtocol } }

    /// Switches to 1.0; true for the call that made the switch.
    func fallBackToV1() -> Bool {
        lock.withLock {
            guard currentProtocol == .v2 else { return false }
            currentProtocol = .v1
            return true
        }
    }

    var isDraining: Bool { lock.withLock { draining } }

    /// Claims the right to drain; false when someone else drains already.
    func beginDraining() -> Bool {
        lock.withLock {
            guard !draining else { return false }
            draining = true
            return true
        }
    }

    func endDraining() {
        lock.withLock { draining = false }
    }
}

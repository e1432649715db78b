import Foundation

/// The sender's mutable flags: the protocol in use (2.0 until a fallback), whether
/// something (`run` or `flush`) is draining the queue, and whether it is to stop.
final class SenderState: @unchecked Sendable {
    private let lock = NSLock()
    private var currentProtocol: RemoteWriteProtocol
    private var draining = false
    private var stopping = false

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

    /// Whether the sender was asked to stop once its requests in flight are answered.
    var isStopping: Bool { lock.withLock { stopping } }

    func requestStop() {
        lock.withLock { stopping = true }
    }
}

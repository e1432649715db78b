import NIOConcurrencyHelpers

/// The sender's mutable flags: the protocol in use (2.0 until a fallback), whether
/// something (`run` or `flush`) is draining the queue, and whether it is to stop.
final class SenderState: Sendable {
    private struct Flags {
        var protocolVersion: RemoteWriteProtocol
        var draining = false
        var stopping = false
    }

    private let flags: NIOLockedValueBox<Flags>

    init(protocolVersion: RemoteWriteProtocol) {
        flags = NIOLockedValueBox(Flags(protocolVersion: protocolVersion))
    }

    var protocolVersion: RemoteWriteProtocol { flags.withLockedValue { $0.protocolVersion } }

    /// Switches to 1.0; true for the call that made the switch.
    func fallBackToV1() -> Bool {
        flags.withLockedValue {
            guard $0.protocolVersion == .v2 else { return false }
            $0.protocolVersion = .v1
            return true
        }
    }

    var isDraining: Bool { flags.withLockedValue { $0.draining } }

    /// Claims the right to drain; false when someone else drains already.
    func beginDraining() -> Bool {
        flags.withLockedValue {
            guard !$0.draining else { return false }
            $0.draining = true
            return true
        }
    }

    func endDraining() {
        flags.withLockedValue { $0.draining = false }
    }

    /// Whether the sender was asked to stop once its requests in flight are answered.
    var isStopping: Bool { flags.withLockedValue { $0.stopping } }

    func requestStop() {
        flags.withLockedValue { $0.stopping = true }
    }
}

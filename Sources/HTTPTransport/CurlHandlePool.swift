import NIOConcurrencyHelpers

/// Idle easy handles kept for reuse, so consecutive requests to one server reuse its
/// open connection. A request takes a handle (or gets a new one) and gives it back;
/// beyond `maxIdle` returned handles are freed.
final class CurlHandlePool: Sendable {
    /// Handles are only ever used by one transfer at a time: the pool hands each out once.
    private struct Idle: @unchecked Sendable {
        var handles: [CurlEasyHandle] = []
    }

    private let idle = NIOLockedValueBox(Idle())
    private let maxIdle: Int

    init(maxIdle: Int) {
        self.maxIdle = max(maxIdle, 0)
    }

    func acquire() throws(HTTPTransportError) -> CurlEasyHandle {
        if let handle = idle.withLockedValue({ $0.handles.popLast() }) { return handle }
        return try CurlEasyHandle()
    }

    func release(_ handle: CurlEasyHandle) {
        idle.withLockedValue {
            if $0.handles.count < maxIdle { $0.handles.append(handle) }
        }
    }
}

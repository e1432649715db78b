import Foundation

/// Idle easy handles kept for reuse, so consecutive requests to one server reuse its
/// open connection. A request takes a handle (or gets a new one) and gives it back;
/// beyond `maxIdle` returned handles are freed.
final class CurlHandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [CurlEasyHandle] = []
    private let maxIdle: Int

    init(maxIdle: Int) {
        self.maxIdle = max(maxIdle, 0)
    }

    func acquire() throws(HTTPTransportError) -> CurlEasyHandle {
        if let handle = lock.withLock({ idle.popLast() }) { return handle }
        return try CurlEasyHandle()
    }

    func release(_ handle: CurlEasyHandle) {
        lock.withLock {
            if idle.count < maxIdle { idle.append(handle) }
        }
    }
}

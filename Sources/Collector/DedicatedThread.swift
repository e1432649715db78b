#if canImport(Glibc)
import Glibc
#endif

/// Runs a closure on a new POSIX thread and waits for it. Used where the work must
/// not share a thread with anything else (entering a network namespace).
enum DedicatedThread {
    static func run(_ body: () -> Void) {
        withoutActuallyEscaping(body) { body in
            let box = Unmanaged.passRetained(Box(body))
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, box.toOpaque())
            if created != 0 {
                // No thread: run here, which only matters for namespace work, and that
                // restores the namespace before returning.
                box.takeRetainedValue().body()
                return
            }
            pthread_join(thread, nil)
        }
    }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}

import Synchronization

@testable import ServiceNames

/// A stand-in for Docker that gives scripted answers and counts its reads. A read can be
/// held open (``hold()``) to see that no second one starts meanwhile.
final class ScriptedSource: DockerInventorySource {
    let location = "unix:///test/docker.sock"
    private let state = Mutex(State())

    private struct State {
        var answers: [Result<DockerInventory, DockerQueryError>] = []
        var reads = 0
        var held: [CheckedContinuation<Void, Never>] = []
        var holding = false
    }

    /// Answers the next reads with `answer` (the last one repeats).
    func answer(_ answers: Result<DockerInventory, DockerQueryError>...) {
        state.withLock { $0.answers = answers }
    }

    var reads: Int { state.withLock { $0.reads } }

    /// Makes reads wait until ``release()``.
    func hold() {
        state.withLock { $0.holding = true }
    }

    func release() {
        let held = state.withLock { state in
            state.holding = false
            defer { state.held = [] }
            return state.held
        }
        for continuation in held { continuation.resume() }
    }

    func fetch() async throws(DockerQueryError) -> DockerInventory {
        await withCheckedContinuation { continuation in
            let wait = state.withLock { state in
                state.reads += 1
                if state.holding { state.held.append(continuation) }
                return state.holding
            }
            if !wait { continuation.resume() }
        }
        let answer = state.withLock { state in
            state.answers.count > 1 ? state.answers.removeFirst() : state.answers.first
        }
        guard let answer else { throw .socketMissing(socket: "/test/docker.sock") }
        return try answer.get()
    }
}

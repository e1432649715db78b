import Collector
import HTTPTransport
import Logging
import NIOConcurrencyHelpers
import TimeUnits

/// Names from Docker, kept between collections: the last answer of the Engine API, and
/// the policy for reading it again.
///
/// Naming never waits for Docker: it uses the answer at hand, and at most starts a read
/// in the background, one at a time and never sooner than
/// ``DockerRefreshTiming/minimumInterval`` after the previous one began, when
/// - a firewall mark in one of Docker's namespaces (`ingress_sbox`, `lb_*`) has no name,
///   which is how a new service shows; or
/// - the previous read began ``DockerRefreshTiming/maximumAge`` ago or more.
///
/// When a read fails, the last good answer goes on naming marks until it is
/// ``DockerRefreshTiming/maximumAge`` old, then it is dropped and marks stay unnamed
/// until Docker answers again. Every change between answering and failing is logged
/// once: a warning with the reason when reads start to fail, an info line when they
/// succeed again. ``isUp`` is the `ipvs_names_up{source="docker"}` value.
public final class DockerServiceNames: Sendable {
    public let source: any DockerInventorySource
    public let timing: DockerRefreshTiming
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// The last good answer and when the read that gave it began.
        var answer: (inventory: DockerInventory, time: ContinuousClock.Instant)?
        /// nil before the first read ends; else whether the last read succeeded.
        var up: Bool?
        var lastStart: ContinuousClock.Instant?
        var running: Task<Void, Never>?
    }

    /// Reads the daemon at `host` (see ``DockerEngineClient``).
    public convenience init(host: DockerHost, timing: DockerRefreshTiming = DockerRefreshTiming(), logger: Logger)
        throws(HTTPTransportError)
    {
        self.init(source: try DockerEngineClient(host: host, logger: logger), timing: timing, logger: logger)
    }

    /// `now` is the clock the policy reads (tests pass one they move by hand).
    public init(
        source: any DockerInventorySource, timing: DockerRefreshTiming = DockerRefreshTiming(), logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.source = source
        self.timing = timing
        self.logger = logger
        self.now = now
    }

    /// The answer naming may use now, or nil (none yet, or too old after reads failed).
    public func inventory() -> DockerInventory? {
        let time = now()
        return state.withLockedValue { state in
            guard let answer = state.answer else { return nil }
            if state.up == false && time - answer.time > timing.maximumAge {
                state.answer = nil
                return nil
            }
            return answer.inventory
        }
    }

    /// Whether the last read succeeded (false before the first one ends).
    public var isUp: Bool { state.withLockedValue { $0.up == true } }

    /// Starts a background read if the policy says one is due. `unnamedDockerMark`: a
    /// firewall mark in one of Docker's namespaces got no name in this collection.
    public func refreshIfDue(unnamedDockerMark: Bool) {
        let time = now()
        state.withLockedValue { state in
            guard state.running == nil else { return }
            if let last = state.lastStart {
                guard time - last >= timing.minimumInterval else { return }
                guard unnamedDockerMark || time - last >= timing.maximumAge else { return }
            }
            _ = startRead(&state, at: time)
        }
    }

    /// Reads now (or joins the read under way) and returns when it has ended: for
    /// one-shot commands, which name a single collection.
    public func refreshNow() async {
        let time = now()
        let task = state.withLockedValue { state in state.running ?? startRead(&state, at: time) }
        await task.value
    }

    /// Waits for the read under way, if any.
    func waitForRead() async {
        await state.withLockedValue { $0.running }?.value
    }

    private func startRead(_ state: inout State, at time: ContinuousClock.Instant) -> Task<Void, Never> {
        state.lastStart = time
        let task = Task { [self] in
            let result: Result<DockerInventory, DockerQueryError>
            do throws(DockerQueryError) {
                result = .success(try await source.fetch())
            } catch {
                result = .failure(error)
            }
            finish(result, startedAt: time)
        }
        state.running = task
        return task
    }

    private func finish(_ result: Result<DockerInventory, DockerQueryError>, startedAt time: ContinuousClock.Instant) {
        let wasUp = state.withLockedValue { state in
            let wasUp = state.up
            state.running = nil
            switch result {
            case .success(let inventory):
                state.answer = (inventory, time)
                state.up = true
            case .failure:
                state.up = false
            }
            return wasUp
        }
        let metadata: Logger.Metadata = ["docker.host": "\(source.location)"]
        switch result {
        case .success(let inventory) where wasUp != true:
            logger.info(
                wasUp == nil ? "Naming services from Docker" : "Docker answers again; naming services from it",
                metadata: metadata.merging([
                    "docker.api_version": "\(inventory.apiVersion)",
                    "docker.services": "\(inventory.serviceCount)",
                    "docker.networks": "\(inventory.networkCount)",
                ]) { $1 })
        case .failure(let error) where wasUp != false:
            logger.warning(
                """
                Cannot read service names from Docker; names already read are kept until they are \
                \(timing.maximumAge.milliseconds / 1000) s old, then marks stay unnamed until Docker answers
                """,
                metadata: metadata.merging(["error": "\(error)"]) { $1 })
        case .failure(let error):
            logger.debug("Docker still gives no names", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        case .success:
            break
        }
    }
}

import Exposition
import HTTPTransport
import Relabel

/// Everything about one remote-write destination: where, which protocol, how much per
/// request, how to retry, and where its queue lives.
public struct RemoteWriteConfiguration: Sendable {
    /// The receiver's write endpoint, such as `http://prometheus:9090/api/v1/write`,
    /// `http://victoria:8428/api/v1/write` or `https://mimir/api/v1/push`. It may carry
    /// `user:password@`; logs, errors and metrics never show that part.
    public var url: String
    /// A short name for logs; the URL (without credentials) when nil.
    public var name: String?
    /// The protocol to start with; 2.0 falls back to 1.0 when the receiver needs it.
    public var protocolVersion: RemoteWriteProtocol
    /// Sent as `X-Scope-OrgID` (Grafana Mimir, Cortex, Loki-style multi-tenancy).
    public var tenant: String?
    /// The most samples in one request (Prometheus' `max_samples_per_send`).
    public var maxSamplesPerSend: Int
    /// ``maxSamplesPerSend``'s default: vmagent's block size, not Prometheus' 2,000. Fewer,
    /// larger requests carry fewer headers and metadata and compress slightly better: the
    /// pipeline benchmark (600,006 series, 1.0) put 21.56 bytes a sample on the wire at
    /// 2,000, 21.45 at 5,000 and 21.41 at 10,000 (vmagent 21.5); a request is then about
    /// 1 MB before and 215 KB after snappy, far below any receiver's limit.
    public static let defaultMaxSamplesPerSend = 10_000
    /// The wait before the first retry; it doubles up to `maxBackoff`.
    public var minBackoff: Duration
    public var maxBackoff: Duration
    /// Whether 429 Too Many Requests is retried (true) or the batch dropped (false).
    public var retryOn429: Bool
    /// Labels added to every series that does not have a label of that name already
    /// (Prometheus' `external_labels`). Empty values are ignored.
    public var externalLabels: Labels
    /// Prometheus' `write_relabel_configs`: rules applied, in order, to each series'
    /// full label set (`__name__`, its labels and then the external labels, as
    /// Prometheus adds those first) before it is sent. A series a rule drops is not
    /// sent to this destination (nor marked stale when it goes); other destinations
    /// are not affected. Empty: every series is sent as it is, at no cost.
    public var writeRelabelRules: [RelabelRule]
    /// Where batches wait for the receiver, surviving outages and restarts. Each URL
    /// gets a subdirectory of its own. When nil the queue lives in memory: an outage
    /// loses nothing while the agent runs, a restart loses what was queued.
    public var queueDirectory: String?
    /// The most bytes (compressed batches and their record headers) the queue holds;
    /// beyond it the oldest batches are dropped and counted.
    public var queueMaxBytes: Int
    /// The size at which the on-disk queue starts a new segment file.
    public var queueSegmentBytes: Int
    /// When the on-disk queue calls `fsync`.
    public var queueSync: QueueSyncPolicy
    /// How long the first attempt of a batch the on-disk queue holds in memory only may go
    /// unanswered before the queue writes it (write-behind: while the receiver keeps up,
    /// batches are written only when their first attempt fails, takes this long, or too
    /// many are held; see ``RemoteWriteSender``). This bounds how old a request a SIGKILL
    /// can lose. Two seconds: a healthy receiver answers a request of a few thousand
    /// samples well within it, and a hanging one leaves no batch in memory only for the
    /// whole remote timeout (30 s by default). `.zero` writes every
    /// batch before `enqueue` returns (write-through), as the queue did before.
    public var queueWriteBehind: Duration
    /// Timeouts, TLS, proxy, authentication and extra headers of the HTTP client.
    /// `timeout` is the remote timeout of one request.
    public var transport: TransportConfiguration
    /// How many requests may be in flight at once. Every series is pinned to one shard
    /// (by a hash of its labels) so that its samples arrive in timestamp order. An
    /// on-disk queue that still holds batches keeps the shard count it was written with
    /// until it has been drained.
    public var shards: Int

    public init(
        url: String,
        name: String? = nil,
        protocolVersion: RemoteWriteProtocol = .v1,
        tenant: String? = nil,
        maxSamplesPerSend: Int = defaultMaxSamplesPerSend,
        minBackoff: Duration = .milliseconds(30),
        maxBackoff: Duration = .seconds(5),
        retryOn429: Bool = true,
        externalLabels: Labels = .empty,
        writeRelabelRules: [RelabelRule] = [],
        queueDirectory: String? = nil,
        queueMaxBytes: Int = 256 * 1024 * 1024,
        queueSegmentBytes: Int = 8 * 1024 * 1024,
        queueSync: QueueSyncPolicy = .batched,
        queueWriteBehind: Duration = .seconds(2),
        transport: TransportConfiguration = TransportConfiguration(),
        shards: Int = 4
    ) {
        self.url = url
        self.name = name
        self.protocolVersion = protocolVersion
        self.tenant = tenant
        self.maxSamplesPerSend = maxSamplesPerSend
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
        self.retryOn429 = retryOn429
        self.externalLabels = externalLabels
        self.writeRelabelRules = writeRelabelRules
        self.queueDirectory = queueDirectory
        self.queueMaxBytes = queueMaxBytes
        self.queueSegmentBytes = queueSegmentBytes
        self.queueSync = queueSync
        self.queueWriteBehind = queueWriteBehind
        self.transport = transport
        self.shards = shards
    }

    /// The URL without credentials, as logs and the `url` label show it.
    public var redactedURL: String { URLRedaction.redact(url) }

    /// Checks the settings a sender cannot work with, naming the setting.
    public func validate() throws(RemoteWriteError) {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw .configuration("remote-write URL \(redactedURL) must start with http:// or https://")
        }
        guard maxSamplesPerSend >= 1 else {
            throw .configuration("remote-write max samples per send must be at least 1, not \(maxSamplesPerSend)")
        }
        guard (1...256).contains(shards) else {
            throw .configuration("remote-write shards must be between 1 and 256, not \(shards)")
        }
        guard queueMaxBytes >= 4096 else {
            throw .configuration("remote-write queue max bytes must be at least 4096, not \(queueMaxBytes)")
        }
        guard queueSegmentBytes >= 4096 else {
            throw .configuration("remote-write queue segment bytes must be at least 4096, not \(queueSegmentBytes)")
        }
        guard queueWriteBehind >= .zero, queueWriteBehind <= .seconds(60) else {
            throw .configuration(
                "remote-write queue write-behind must be between 0 (write every batch at once) and 60 seconds, "
                    + "not \(queueWriteBehind)")
        }
        guard minBackoff > .zero, maxBackoff >= minBackoff else {
            throw .configuration("remote-write backoff: the minimum must be positive and at most the maximum")
        }
        for label in externalLabels where !Label.isValidName(label.name) || Label.isReservedName(label.name) {
            throw .configuration(
                "remote-write external label name \"\(label.name)\" is not allowed: use letters, digits and "
                    + "underscores, not starting with a digit or with \"__\" (reserved)")
        }
        if let tenant, tenant.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .configuration("remote-write tenant must not contain control characters")
        }
        _ = try makeRelabeler()
    }

    /// The compiled `writeRelabelRules`, nil when there are none.
    func makeRelabeler() throws(RemoteWriteError) -> Relabeler? {
        guard !writeRelabelRules.isEmpty else { return nil }
        do {
            return try Relabeler(writeRelabelRules)
        } catch {
            throw .configuration("remote-write \(redactedURL) write relabel configs: \(error)")
        }
    }
}

import Exposition
import HTTPTransport
import RemoteWrite

/// One entry of the file's `remote_write` list, read as Prometheus reads its own
/// `remote_write` blocks: a block pasted from a Prometheus configuration works.
///
/// Fields Prometheus has that cannot apply to a push agent are accepted and have no
/// effect (documented in the README): `send_exemplars`, `send_native_histograms`,
/// `round_robin_dns`, `metadata_config`, `follow_redirects`, `enable_http2` and the
/// queue sizes `capacity`, `min_shards`, `batch_send_deadline`, `sample_age_limit`.
/// Authentication it cannot do (`oauth2`, `sigv4`, `azuread`, `google_iam`) is an error.
enum RemoteWriteBlock {
    static let keys =
        [
            "url", "name", "remote_timeout", "write_relabel_configs", "protobuf_message", "send_exemplars",
            "send_native_histograms", "round_robin_dns", "queue_config", "metadata_config",
        ] + HTTPClientSettings.keys

    static let queueKeys = [
        "capacity", "max_shards", "min_shards", "max_samples_per_send", "batch_send_deadline", "min_backoff",
        "max_backoff", "retry_on_http_429", "sample_age_limit",
    ]

    /// The protobuf message names Prometheus' `protobuf_message` takes.
    static let messages: [String: RemoteWriteProtocol] = [
        "prometheus.WriteRequest": .v1, "io.prometheus.write.v2.Request": .v2,
    ]

    static func read(_ value: YAMLValue, directory: String) -> RemoteWriteConfiguration? {
        guard let fields = value.mapping(known: keys) else { return nil }
        guard let urlValue = fields.required("url"), let url = urlValue.nonEmptyString() else { return nil }
        let lowered = url.lowercased()
        if !(lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) {
            urlValue.problem("\(urlValue.path) must be an http:// or https:// URL")
        }
        var configuration = RemoteWriteConfiguration(url: url)
        configuration.name = fields["name"]?.nonEmptyString()
        let http = HTTPClientSettings.read(fields, directory: directory)
        var transport = TransportConfiguration(
            timeout: fields["remote_timeout"]?.duration(minimum: .milliseconds(1))?.duration ?? .seconds(30),
            tls: http.tls, proxyURL: http.proxyURL, noProxy: http.noProxy, authentication: http.authentication,
            headers: HTTPHeaders(http.headers))
        if http.proxyURL == nil && !http.proxyFromEnvironment {
            // Prometheus uses no proxy unless one is configured; libcurl would read the
            // environment's http_proxy otherwise.
            transport.noProxy = "*"
        }
        configuration.transport = transport
        if let value = fields["protobuf_message"], let name = value.string() {
            if let version = messages[name] {
                configuration.protocolVersion = version
            } else {
                value.problem(
                    "\(value.path): \"\(name)\" is not one of \(messages.keys.sorted().joined(separator: ", "))")
            }
        }
        for key in ["send_exemplars", "send_native_histograms", "round_robin_dns"] { _ = fields[key]?.bool() }
        if let block = fields["metadata_config"],
            let metadata = block.mapping(known: ["send", "send_interval", "max_samples_per_send"])
        {
            _ = metadata["send"]?.bool()
            _ = metadata["send_interval"]?.duration()
            _ = metadata["max_samples_per_send"]?.int(in: 1...Int(Int32.max))
        }
        if let block = fields["queue_config"], let queue = block.mapping(known: queueKeys) {
            readQueue(queue, into: &configuration)
        }
        if let rules = fields["write_relabel_configs"] {
            configuration.writeRelabelRules = RelabelBlock.read(rules)
        }
        return configuration
    }

    private static func readQueue(_ queue: YAMLMapping, into configuration: inout RemoteWriteConfiguration) {
        if let value = queue["max_samples_per_send"]?.int(in: 1...1_000_000) {
            configuration.maxSamplesPerSend = value
        }
        if let value = queue["max_shards"]?.int(in: 1...Int(Int32.max)) {
            // Each shard is one request in flight; more than 256 gains nothing here.
            configuration.shards = min(value, 256)
        }
        if let value = queue["min_backoff"]?.duration(minimum: .milliseconds(1)) {
            configuration.minBackoff = value.duration
        }
        if let value = queue["max_backoff"]?.duration(minimum: .milliseconds(1)) {
            configuration.maxBackoff = value.duration
        }
        if configuration.maxBackoff < configuration.minBackoff {
            let minimum = PrometheusDuration.format(configuration.minBackoff)
            let maximum = PrometheusDuration.format(configuration.maxBackoff)
            if let value = queue["max_backoff"] {
                value.problem("\(value.path) (\(maximum)) must be at least min_backoff (\(minimum))")
            } else if let value = queue["min_backoff"] {
                value.problem(
                    "\(value.path) (\(minimum)) must be at most max_backoff (\(maximum) by default): set max_backoff "
                        + "as well")
            }
        }
        if let value = queue["retry_on_http_429"]?.bool() { configuration.retryOn429 = value }
        _ = queue["capacity"]?.int(in: 1...Int(Int32.max))
        _ = queue["min_shards"]?.int(in: 1...Int(Int32.max))
        _ = queue["batch_send_deadline"]?.duration()
        _ = queue["sample_age_limit"]?.duration()
    }
}

import Exposition
import Foundation
import HTTPTransport
import Logging
import PushGateway
import TestSupport

func family(_ name: String, _ type: MetricType, _ samples: [([String: String], Double)], timestamp: Int64? = nil)
    -> MetricFamily
{
    MetricFamily(
        name: name, type: type, help: "Test family \(name).",
        samples: samples.map {
            Sample(
                name: name, labels: Labels($0.0.map { Label($0.key, $0.value) }), value: $0.1,
                timestampMilliseconds: timestamp)
        })
}

func makeGatewayClient(
    _ baseURL: String, options: PushOptions = PushOptions(retryPolicy: quickRetries()),
    transport: TransportConfiguration = TransportConfiguration(connectTimeout: .seconds(2), timeout: .seconds(10))
) throws -> PushGatewayClient {
    var logger = Logger(label: "push-test")
    logger.logLevel = .critical
    return try PushGatewayClient(
        baseURL: baseURL, transport: HTTPClient(configuration: transport, logger: logger), options: options,
        logger: logger)
}

func quickRetries(attempts: Int = 3) -> RetryPolicy {
    RetryPolicy(minBackoff: .milliseconds(50), maxBackoff: .milliseconds(400), maxAttempts: attempts, jitter: 0)
}

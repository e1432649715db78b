/// One metric family of a Pushgateway group: the type the gateway stored, its help text,
/// and every series with its value.
public struct PushgatewayFamily: Sendable {
    /// `GAUGE`, `COUNTER`, `HISTOGRAM`, `SUMMARY` or `UNTYPED`, as the API spells it.
    public var type: String
    public var help: String?
    public var series: [PushgatewaySeries: Double]
}

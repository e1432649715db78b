// swift-tools-version: 6.1
import PackageDescription

// The architecture, bottom up:
//   CDeps/*      C libraries from Debian (libnl-genl-3, snappy, zlib, libcrypt) and the C shims
//                (CLinux, CCapabilities, CIPTables, CCurl for the dlopened libcurl: C targets, one per concern)
//   TimeUnits    a Duration in seconds and milliseconds, the one conversion every module uses
//   Exposition   the metric model and the Prometheus / OpenMetrics text formats
//   Relabel      Prometheus relabel rules (write_relabel_configs) over the metric model
//   Privileges   the process's Linux capabilities: what it holds, and dropping all but what it needs
//   Namespaces   network namespaces: a thread that enters one and stays, their identity, pattern matching
//   Collector    IPVS over generic netlink and the IPVS data model, read in every namespace
//   IPVSMetricSet  the IPVS data model as metric families and exposition bytes (the README's metric table)
//   HTTPTransport  libcurl-based client shared by both senders
//   ServiceNames  names for virtual services: Docker's Engine API and the operator's names file
//   PushGateway, RemoteWrite  the two push senders
//   PullServer   the /metrics HTTP endpoint
//   Configuration  the YAML config file (and web.config.yml) read strictly into the modules' settings
//   Agent        builds the sinks from the settings, runs collection to sinks, owns reload
//   ipvs-push    the command line: parses flags, hands resolved settings to the agent
let package = Package(
    name: "ipvs-push",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ipvs-push", targets: ["ipvs-push"]),
        // Libraries for the benchmark package (Benchmarks/), which depends on this one by path.
        .library(name: "Exposition", targets: ["Exposition"]),
        .library(name: "Collector", targets: ["Collector"]),
        .library(name: "IPVSMetricSet", targets: ["IPVSMetricSet"]),
        .library(name: "HTTPTransport", targets: ["HTTPTransport"]),
        .library(name: "RemoteWrite", targets: ["RemoteWrite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CNetlink", path: "Sources/CDeps/CNetlink", pkgConfig: "libnl-genl-3.0",
            providers: [.apt(["libnl-genl-3-dev"])]),
        .systemLibrary(name: "CSnappy", path: "Sources/CDeps/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CDeps/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // bcrypt password hashes (web.config.yml basic_auth_users) through libxcrypt's crypt_r.
        .systemLibrary(
            name: "CCrypt", path: "Sources/CDeps/CCrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),
        // capget/capset/prctl for dropping capabilities after the namespaces' sockets are open.
        // C shims compiled as C (with _GNU_SOURCE where glibc hides a call): one target per concern.
        .target(name: "CLinux", path: "Sources/CDeps/CLinux"),
        .target(name: "CCapabilities", path: "Sources/CDeps/CCapabilities"),
        .target(name: "CIPTables", path: "Sources/CDeps/CIPTables"),
        // libcurl's variadic calls as typed functions. libcurl is dlopened at the first request,
        // so nothing is linked: the headers come from libcurl4-openssl-dev.
        .target(name: "CCurl", path: "Sources/CDeps/CCurl"),
        // protobuf-c code generated from Proto/*.proto by Proto/generate.sh (committed).
        .target(
            name: "CRemoteWriteProto", path: "Proto",
            exclude: ["generate.sh", "remote_write_v1.proto", "remote_write_v2.proto"],
            sources: ["src"], publicHeadersPath: "include",
            linkerSettings: [.linkedLibrary("protobuf-c")]),

        // MARK: Modules
        .target(name: "TimeUnits"),
        .target(name: "Exposition"),
        .target(
            name: "Relabel",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio"), "Exposition"]),
        .target(
            name: "Privileges",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio"), "CLinux", "CCapabilities"]),
        .target(
            name: "Namespaces",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio"), "CLinux", "Privileges"]),
        .target(
            name: "Collector",
            dependencies: [
                "CNetlink", "CLinux", "CIPTables", "Privileges", "Namespaces", "TimeUnits",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "IPVSMetricSet", dependencies: ["Collector", "Exposition"]),
        .target(
            name: "PullServer",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "Exposition", "TimeUnits", "CCrypt",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ]),
        .target(
            name: "HTTPTransport",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "CCurl", "CZlib", "TimeUnits",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "PushGateway",
            dependencies: [
                "HTTPTransport", "Exposition", "TimeUnits",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "RemoteWrite",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "HTTPTransport", "Exposition", "Relabel", "TimeUnits", "CSnappy", "CZlib", "CRemoteWriteProto",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "ServiceNames",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "Collector", "Exposition", "HTTPTransport", "TimeUnits",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Configuration",
            dependencies: [
                "Exposition", "Relabel", "Collector", "IPVSMetricSet", "PullServer", "PushGateway", "HTTPTransport",
                "RemoteWrite", "ServiceNames", "TimeUnits",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Agent",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "Configuration", "Collector", "IPVSMetricSet", "Exposition", "Privileges", "PullServer", "PushGateway",
                "HTTPTransport", "RemoteWrite",
                "Relabel", "ServiceNames", "CLinux",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "ipvs-push",
            dependencies: [
                "Agent", "Collector", "IPVSMetricSet", "Configuration", "Exposition", "PullServer", "PushGateway",
                "HTTPTransport",
                "RemoteWrite", "ServiceNames",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "HTTPTransport",
                .product(name: "Logging", package: "swift-log"),
                // ScriptedHTTPServer, the tests' one fault-injecting HTTP server.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(
            name: "AgentTests", dependencies: ["Agent", "Exposition", "PushGateway", "HTTPTransport", "TestSupport"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "TestSupport"]),
        .testTarget(name: "RelabelTests", dependencies: ["Relabel", "Exposition", "TestSupport"]),
        .testTarget(
            name: "ConfigurationTests",
            dependencies: ["Configuration", "Relabel", "RemoteWrite", "HTTPTransport", "PullServer", "TestSupport"]),
        // IPVS readings that both the Collector's and the metric set's tests start from.
        .target(name: "IPVSFixtures", dependencies: ["Collector"], path: "Tests/IPVSFixtures"),
        .testTarget(name: "NamespacesTests", dependencies: ["Namespaces"]),
        .testTarget(
            name: "CollectorTests",
            dependencies: ["Collector", "Namespaces", "Privileges", "IPVSFixtures", "TestSupport"]),
        .testTarget(
            name: "IPVSMetricSetTests",
            dependencies: ["IPVSMetricSet", "Collector", "Namespaces", "Exposition", "IPVSFixtures", "TestSupport"]),
        .testTarget(name: "PullServerTests", dependencies: ["PullServer", "Exposition", "TestSupport"]),
        .testTarget(
            name: "ServiceNamesTests",
            dependencies: ["ServiceNames", "Collector", "IPVSMetricSet", "HTTPTransport", "Exposition", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "TestSupport"]),
        .testTarget(
            name: "PushGatewayTests", dependencies: ["PushGateway", "HTTPTransport", "Exposition", "TestSupport"]),
        .testTarget(
            name: "RemoteWriteTests",
            dependencies: ["RemoteWrite", "Relabel", "HTTPTransport", "Exposition", "TestSupport"]),
        .testTarget(name: "LabTests", dependencies: ["Exposition", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["Exposition", "TestSupport"]),
        // The systemd unit, Dockerfile and Grafana dashboard under deploy/.
        .testTarget(name: "DeploymentTests", dependencies: ["Exposition", "TestSupport"]),
    ]
)

// MARK: Fuzzing
// libFuzzer targets for the parsers of outside input (Fuzz/README.md), declared only when
// IPVS_PUSH_FUZZ is set, so that the ordinary build and `swift test` never see them: they
// link only with -sanitize=fuzzer (their main runs libFuzzer's driver). `make fuzz` and
// `make fuzz-smoke` build them in .build-fuzz and run them.
if Context.environment["IPVS_PUSH_FUZZ"] != nil {
    package.targets.append(.systemLibrary(name: "CFuzzDriver", path: "Fuzz/Sources/CFuzzDriver"))
    package.targets.append(
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"], path: "Fuzz/Sources/FuzzSupport"))
    for name in [
        "FuzzExposition", "FuzzNetlink", "FuzzMarkRules", "FuzzMangleTable", "FuzzAgentConfig", "FuzzWebConfig",
        "FuzzQueue", "FuzzTranscoder", "FuzzNamesFile", "FuzzDocker", "FuzzConnectionTable",
    ] {
        package.targets.append(
            .executableTarget(
                name: name,
                dependencies: [
                    "FuzzSupport", "Exposition", "Collector", "IPVSMetricSet", "RemoteWrite", "Configuration",
                    "ServiceNames",
                    "CRemoteWriteProto",
                    .product(name: "Logging", package: "swift-log"),
                ],
                path: "Fuzz/Sources/\(name)"))
    }
}

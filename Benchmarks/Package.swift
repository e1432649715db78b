// swift-tools-version: 6.1
import PackageDescription

// The host-side benchmarks of issue 6 ("Fast at 10,000 services"), in a package of their
// own so that the main build and CI never compile ordo-one/benchmark. `make bench` runs them
// (see Benchmarks/README.md); by hand:
//
//   cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
//
// BenchmarkData builds the 10,000 x 3 data set through the real metric-set code
// (IPVSMetrics.families over Collector values); bench-data writes it as files (wire sizes,
// the end-to-end input); collect-phases times (and, under callgrind in the lab, profiles) the
// phases of a dump; CSnappyFloor is libsnappy itself, the floor that remote-write encoding is
// compared with.
let package = Package(
    name: "ipvs-push-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "ipvs-push", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CSnappyFloor", path: "Sources/CSnappyFloor"),
        .target(
            name: "BenchmarkData",
            dependencies: [
                "CSnappyFloor",
                .product(name: "Collector", package: "ipvs-push"),
                .product(name: "IPVSMetricSet", package: "ipvs-push"),
                .product(name: "Exposition", package: "ipvs-push"),
                .product(name: "RemoteWrite", package: "ipvs-push"),
                .product(name: "HTTPTransport", package: "ipvs-push"),
            ]),
        .executableTarget(
            name: "bench-data",
            dependencies: [
                "BenchmarkData",
                .product(name: "Collector", package: "ipvs-push"),
                .product(name: "IPVSMetricSet", package: "ipvs-push"),
                .product(name: "Exposition", package: "ipvs-push"),
                .product(name: "RemoteWrite", package: "ipvs-push"),
            ]),
        .executableTarget(
            name: "collect-phases",
            dependencies: [
                .product(name: "Collector", package: "ipvs-push"),
                .product(name: "IPVSMetricSet", package: "ipvs-push"),
                .product(name: "Exposition", package: "ipvs-push"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "Encoding",
            dependencies: [
                "BenchmarkData",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Encoding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)

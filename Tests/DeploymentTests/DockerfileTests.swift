import Foundation
import TestSupport
import Testing

/// deploy/docker/Dockerfile. No Docker engine runs here, so the image is never built; what
/// can be checked without one is: the packages exist in Debian 12, the runtime stage holds
/// every shared library the binary links, the build stage copies every source the package
/// needs, and the way the image hands capabilities to its non-root user (file capabilities
/// `+p` on the binary, the bounding set from `--cap-add`) works with the real binary.
@Suite("Dockerfile")
struct DockerfileTests {
    static let isRoot = getuid() == 0

    static func dockerfile() throws -> Dockerfile {
        Dockerfile(text: try DeploymentCommand.repositoryFile("deploy/docker/Dockerfile"))
    }

    /// The stages in the order the legacy builder needs (it builds every stage up to the target):
    /// the runtime without the binary, the runtime with `make release`'s binary, the Swift build,
    /// the runtime with the binary built there (the default target).
    static let stageNames = ["runtime-base", "runtime-prebuilt", "build", "runtime"]

    static func stages() throws -> (
        base: Dockerfile.Stage, prebuilt: Dockerfile.Stage, build: Dockerfile.Stage, runtime: Dockerfile.Stage
    ) {
        let stages = try dockerfile().stages
        guard stages.map(\.name) == stageNames else {
            throw TestFailure("expected the stages \(stageNames), found \(stages.map { $0.name ?? $0.base })")
        }
        return (stages[0], stages[1], stages[2], stages[3])
    }

    /// The runtime packages: `ARG RUNTIME_PACKAGES="..."` of the runtime-base stage (also what
    /// Lab/host/base-image.sh installs in the lab's base image).
    static func runtimePackages() throws -> [String] {
        let argument = try stages().base.arguments(of: "ARG").first { $0.hasPrefix("RUNTIME_PACKAGES=") }
        let value = try #require(argument, "no ARG RUNTIME_PACKAGES in the runtime-base stage").dropFirst(
            "RUNTIME_PACKAGES=".count)
        return value.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ").map(String.init)
    }

    @Test func baseImagesAreSwiftAndDebianBookworm() throws {
        let text = try DeploymentCommand.repositoryFile("deploy/docker/Dockerfile")
        #expect(text.contains("ARG SWIFT_IMAGE=swift:6.3-bookworm"))
        let stages = try Self.stages()
        #expect(stages.base.base == "debian:bookworm-slim")
        #expect(stages.build.base == "${SWIFT_IMAGE}")
        #expect(stages.prebuilt.base == "runtime-base" && stages.runtime.base == "runtime-base")
    }

    /// The prebuilt target needs neither the Swift image nor the build stage, and the base stage
    /// installs only the runtime packages that are missing, announcing which (none: no network).
    @Test func thePrebuiltTargetNeedsNoSwiftImageAndNoMissingPackageNoNetwork() throws {
        let stages = try Self.stages()
        #expect(stages.prebuilt.arguments(of: "COPY") == ["${IPVS_PUSH_BINARY} /usr/local/bin/ipvs-push"])
        #expect(stages.prebuilt.arguments(of: "ARG") == ["IPVS_PUSH_BINARY=.build/static/release/ipvs-push"])
        #expect(
            stages.prebuilt.arguments(of: "RUN") == ["setcap cap_net_admin,cap_sys_admin+p /usr/local/bin/ipvs-push"])
        let run = try #require(stages.base.arguments(of: "RUN").first)
        #expect(run.contains("dpkg-query -W -f '${db:Status-Status}\\n' \"$p\""), "\(run)")
        #expect(run.contains("apt-get install -y --no-install-recommends $missing"), "\(run)")
        #expect(run.contains("every runtime package is installed already"), "\(run)")
        // .dockerignore sends the release binary from .build and nothing else of it.
        let ignore = try DeploymentCommand.repositoryFile(".dockerignore")
        #expect(ignore.contains("\n.build*\n!.build/static/release/ipvs-push\n"), "\(ignore)")
    }

    @Test func everyPackageExistsInDebian() throws {
        let build = try Self.stages().build
        let runtime = try Self.runtimePackages()
        #expect(runtime.contains("iptables") && runtime.contains("ca-certificates"))
        for package in build.aptPackages + runtime {
            let (status, output) = try ShellCommand.run(["apt-cache", "show", package])
            #expect(status == 0, "apt-cache show \(package): \(output.prefix(200))")
        }
    }

    @Test func theRuntimeStageHasEveryLibraryTheBinaryLinks() throws {
        let build = try Self.stages().build
        let binary = try ProductBinary.path()
        let libraries = try ShellCommand.check(["ldd", binary]).split(separator: "\n").compactMap {
            line -> String? in
            #expect(!line.contains("not found"), "ldd: \(line)")
            guard let arrow = line.range(of: "=> ") else { return nil }
            return line[arrow.upperBound...].split(separator: " ").first.map(String.init)
        }
        #expect(libraries.count > 5)
        let closure = try Self.dependencyClosure(try Self.runtimePackages())
        let staticRuntime = build.arguments(of: "RUN").contains { $0.contains("--static-swift-stdlib") }
        for library in libraries {
            if library.contains("/usr/lib/swift/") {
                // The Swift runtime, Foundation and Dispatch: linked into the release binary.
                #expect(staticRuntime, "\(library) comes from the toolchain: the build needs --static-swift-stdlib")
                continue
            }
            let package = try Self.owningPackage(library)
            #expect(closure.contains(package), "\(library) is in \(package), which the runtime stage does not install")
        }
        // Loaded on demand (dlopen) by the first request: not in ldd's list, needed all the same.
        let curl = try ShellCommand.check(["ldconfig", "-p"]).split(separator: "\n")
            .first { $0.contains("libcurl.so.4 ") }?.components(separatedBy: "=> ").last
        let onDemand = try #require(curl, "libcurl.so.4 is not installed here").trimmingCharacters(in: .whitespaces)
        let package = try Self.owningPackage(URL(fileURLWithPath: onDemand).resolvingSymlinksInPath().path)
        #expect(closure.contains(package), "\(onDemand) is in \(package), which the runtime stage does not install")
    }

    @Test func theBuildCopiesEverythingThePackageBuilds() throws {
        let build = try Self.stages().build
        let copied = Set(build.arguments(of: "COPY").compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(copied.isSuperset(of: ["Package.swift", "Sources"]))
        let manifest = try DeploymentCommand.repositoryFile("Package.swift")
        var paths: [String] = []
        var rest = Substring(manifest)
        while let range = rest.range(of: "path: \"") {
            let value = rest[range.upperBound...].prefix { $0 != "\"" }
            paths.append(String(value))
            rest = rest[range.upperBound...]
        }
        // Tests and the fuzz targets (declared only with IPVS_PUSH_FUZZ) are not in the image.
        for path in paths where !path.hasPrefix("Tests") && !path.hasPrefix("Fuzz") {
            let top = String(path.split(separator: "/").first ?? "")
            #expect(copied.contains(top), "Package.swift builds from \(path), which the build stage does not COPY")
        }
    }

    @Test func runsAsNonRootWithTheCapabilitiesAsFileCapabilities() throws {
        let (base, prebuilt, build, runtime) = try Self.stages()
        // root until the capabilities are set (RUN setcap), then the image's user.
        #expect(base.arguments(of: "USER").isEmpty)
        let user = try #require(runtime.arguments(of: "USER").last)
        #expect(prebuilt.arguments(of: "USER") == [user])
        #expect(prebuilt.instructions.last?.keyword == "USER" && runtime.instructions.last?.keyword == "USER")
        #expect(user.split(separator: ":").first.flatMap { Int($0) }.map { $0 != 0 } == true, "USER \(user)")
        // Set in the final image, both ways: COPY (legacy builder) drops file capabilities.
        for stage in [prebuilt, runtime] {
            #expect(stage.arguments(of: "RUN") == ["setcap cap_net_admin,cap_sys_admin+p /usr/local/bin/ipvs-push"])
        }
        #expect(!build.arguments(of: "RUN").contains { $0.contains("setcap") })
        #expect(runtime.arguments(of: "COPY") == ["--from=build /ipvs-push /usr/local/bin/ipvs-push"])
        #expect(prebuilt.arguments(of: "COPY") == ["${IPVS_PUSH_BINARY} /usr/local/bin/ipvs-push"])
        #expect(base.arguments(of: "ENTRYPOINT").last == "[\"/usr/local/bin/ipvs-push\"]")
        let runLine = "--cap-drop ALL --cap-add NET_ADMIN --cap-add SYS_ADMIN"
        #expect(try DeploymentCommand.repositoryFile("deploy/docker/Dockerfile").contains(runLine))
        #expect(try DeploymentCommand.repositoryFile("deploy/README.md").contains(runLine))
    }

    /// The container's arrangement without the container: the binary with the image's file
    /// capabilities, run as uid 10001 with the bounding set `--cap-drop ALL --cap-add ...`
    /// leaves. Both capabilities: it enters the namespace, then keeps CAP_NET_ADMIN only.
    /// CAP_NET_ADMIN alone: it still starts (`+p`, not `+ep`), and says why the namespace fails.
    @Test(.enabled(if: isRoot), arguments: [["net_admin", "sys_admin"], ["net_admin"]])
    func fileCapabilitiesGiveTheNonRootUserWhatTheContainerAllows(_ added: [String]) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-image-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let binary = directory.appendingPathComponent("ipvs-push").path
        try FileManager.default.copyItem(atPath: try ProductBinary.path(), toPath: binary)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        try ShellCommand.check(["setcap", "cap_net_admin,cap_sys_admin+p", binary])
        let namespace = "ipvs-push-image-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try ShellCommand.check(["ip", "netns", "add", namespace])
        defer { _ = try? ShellCommand.run(["ip", "netns", "delete", namespace]) }

        let port = FreePort.allocate()
        let process = try ChildProcess(
            "/usr/bin/setpriv",
            [
                "--reuid=10001", "--regid=10001", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all," + added.map { "+" + $0 }.joined(separator: ","),
                binary, "serve", "--listen-address", "127.0.0.1:\(port)", "--namespace-path",
                "/run/netns/\(namespace)", "--log-level", "debug",
            ],
            environment: ProductBinary.childEnvironment, output: .merged)
        defer { process.terminate() }
        let logText = { process.stdoutSoFar() }
        do {
            try await TestHTTP.waitUntilReady("http://127.0.0.1:\(port)/metrics")
        } catch {
            Issue.record("serve did not start: \(error)\n\(logText())")
            return
        }
        _ = try await TestHTTP.request("http://127.0.0.1:\(port)/metrics")
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/task")
        for thread in threads {
            let status = try String(
                contentsOfFile: "/proc/\(process.processIdentifier)/task/\(thread)/status", encoding: .utf8)
            #expect(
                status.contains("CapEff:\t0000000000001000") && status.contains("CapPrm:\t0000000000001000"),
                "\(status)")
        }
        let effective = added.map { "CAP_" + $0.uppercased() }.joined(separator: ",")
        #expect(logText().contains("made the permitted capabilities effective"), "\(logText())")
        #expect(logText().contains("effective=\(effective)"), "\(logText())")
        if added.contains("sys_admin") {
            #expect(logText().contains("/run/netns/\(namespace): IPVS is not available"), "entered: \(logText())")
        } else {
            #expect(logText().contains("entering the namespace was refused"), "\(logText())")
        }
    }

    /// Every package `packages` need, recursively (Depends and Pre-Depends), with themselves.
    static func dependencyClosure(_ packages: [String]) throws -> Set<String> {
        let output = try ShellCommand.check(
            [
                "apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                "--no-breaks",
                "--no-replaces", "--no-enhances",
            ] + packages)
        var names: Set<String> = []
        for line in output.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "|" }
            if line.first != " " {
                names.insert(String(line))
            } else if let colon = trimmed.firstIndex(of: ":") {
                let name = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                names.insert(name.trimmingCharacters(in: CharacterSet(charactersIn: "<>")))
            }
        }
        return names
    }

    /// The Debian package that installed `library` (trying the /usr-merged spelling too).
    static func owningPackage(_ library: String) throws -> String {
        let resolved = URL(fileURLWithPath: library).resolvingSymlinksInPath().path
        let candidates = [
            library, resolved, "/usr" + library, library.replacingOccurrences(of: "/usr/lib/", with: "/lib/"),
        ]
        for candidate in candidates {
            let (status, output) = try ShellCommand.run(["dpkg", "-S", candidate])
            if status == 0, let first = output.split(separator: "\n").first, let colon = first.firstIndex(of: ":") {
                return String(first[..<colon])
            }
        }
        throw TestFailure("no Debian package owns \(library)")
    }
}

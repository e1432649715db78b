#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with posix_spawn on the calling thread and returns its output.
///
/// Spawned from a thread inside another network namespace, the child runs in that
/// namespace: this is how iptables rules are read there.
enum ChildProcess {
    struct Output {
        var status: Int32
        var standardOutput: [UInt8]
    }

    /// Runs `path` with `arguments`, stdout captured (up to `limit` bytes), stderr and
    /// stdin on /dev/null. Returns nil when the program could not be started.
    static func run(_ path: String, _ arguments: [String], limit: Int = 16 << 20) -> Output? {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return nil }
        _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        let words: [String] = [path] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { word in strdup(word) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let settings: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
        let environment: [UnsafeMutablePointer<CChar>?] = settings.map { setting in strdup(setting) } + [nil]
        defer { for pointer in environment { free(pointer) } }

        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environment)
        close(pipeEnds[1])
        guard spawned == 0 else {
            close(pipeEnds[0])
            return nil
        }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if count > 0 {
                if output.count < limit { output.append(contentsOf: chunk[0..<min(count, limit - output.count)]) }
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(pipeEnds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        return Output(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), standardOutput: output)
    }

    /// The first of `names` found as an executable in the usual system directories.
    static func find(_ name: String) -> String? {
        for directory in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let path = directory + "/" + name
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }
}

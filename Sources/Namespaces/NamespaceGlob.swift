#if canImport(Glibc)
    import Glibc
#endif

/// Expands `--namespace-glob` patterns (`/var/run/docker/netns/*`, `/run/netns/lb_*`) with
/// glob(3), the shell's rules: `*`, `?` and `[...]` within one path component.
public enum NamespaceGlob {
    /// The paths the patterns match now: the first pattern's matches in sorted order, then
    /// the next pattern's that are new, and so on (so that of two paths to one namespace,
    /// the one the earlier pattern matches names it). A pattern that matches nothing, or a
    /// directory that cannot be read, adds none.
    public static func expand(_ patterns: [String]) -> [String] {
        var seen = Set<String>()
        var paths: [String] = []
        for pattern in patterns {
            var result = glob_t()
            defer { globfree(&result) }
            // glob(3) sorts its matches.
            guard glob(pattern, 0, nil, &result) == 0 else { continue }
            for index in 0..<Int(result.gl_pathc) {
                guard let raw = result.gl_pathv[index] else { continue }
                let path = String(cString: raw)
                if seen.insert(path).inserted { paths.append(path) }
            }
        }
        return paths
    }
}

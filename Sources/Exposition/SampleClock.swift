#if canImport(Glibc)
    import Glibc
#endif

/// The wall clock as sample timestamps carry it: whole milliseconds since the Unix
/// epoch, rounded down. The one source of "now" for collections and pushes.
public enum SampleClock {
    public static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}

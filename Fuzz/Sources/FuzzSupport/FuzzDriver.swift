import CFuzzDriver

#if canImport(Glibc)
    import Glibc
#endif

/// Runs libFuzzer with the process's arguments (`-max_total_time=60 CORPUS_DIR`, …) on
/// `testOneInput` and exits with its status.
public func runFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
    exit(status)
}

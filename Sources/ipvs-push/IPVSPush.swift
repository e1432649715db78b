import ArgumentParser

@main
struct IPVSPush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs-push",
        abstract: "Reads IPVS virtual services and real servers from the kernel and delivers them as Prometheus metrics.",
        subcommands: [DumpCommand.self, ServeCommand.self, OnceCommand.self, RunCommand.self, SendCommand.self])
}

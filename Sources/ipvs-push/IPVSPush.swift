import ArgumentParser

@main
struct IPVSPush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs-push",
        abstract:
            "Reads IPVS virtual services and real servers from the kernel and delivers them as Prometheus metrics.",
        discussion: """
            Every flag can also be given as an IPVS_PUSH_* environment variable: the flag's \
            name in capitals with - and . as _ (--shutdown-grace is IPVS_PUSH_SHUTDOWN_GRACE, \
            --web.config.file is IPVS_PUSH_WEB_CONFIG_FILE); a repeatable flag's variable \
            takes a comma-separated list, a yes/no flag true or false. A flag wins over the \
            variable, the variable over the --config file (run), the file over the default.
            """,
        subcommands: [
            DumpCommand.self, ServeCommand.self, OnceCommand.self, RunCommand.self, SendCommand.self,
            CheckConfigCommand.self,
        ])
}

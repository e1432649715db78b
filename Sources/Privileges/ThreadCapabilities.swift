#if canImport(Glibc)
    import Glibc
#endif

/// The privilege state of one thread, as the kernel shows it in /proc/PID/task/TID/status.
public struct ThreadCapabilities: Hashable, Sendable, CustomStringConvertible {
    /// The thread id (the status file's `Pid:`).
    public var threadID: Int32
    /// The thread's name (`Name:`), for messages.
    public var name: String
    public var effective: CapabilitySet
    public var permitted: CapabilitySet
    public var inheritable: CapabilitySet
    public var bounding: CapabilitySet
    public var ambient: CapabilitySet
    /// `NoNewPrivs: 1`: execve can never grant more privileges (prctl PR_SET_NO_NEW_PRIVS).
    public var noNewPrivileges: Bool
    /// SIGSYS is in the thread's blocked mask (it could then not take a capability request).
    public var blocksSIGSYS: Bool

    /// Parses a status file's text; nil when a capability line is missing.
    public init?(status text: String) {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
            fields[line[..<colon]] = value
        }
        guard let pid = fields["Pid"].flatMap({ Int32($0) }),
            let effective = fields["CapEff"].flatMap(CapabilitySet.init(hex:)),
            let permitted = fields["CapPrm"].flatMap(CapabilitySet.init(hex:)),
            let inheritable = fields["CapInh"].flatMap(CapabilitySet.init(hex:)),
            let bounding = fields["CapBnd"].flatMap(CapabilitySet.init(hex:))
        else { return nil }
        threadID = pid
        name = String(fields["Name"] ?? "")
        self.effective = effective
        self.permitted = permitted
        self.inheritable = inheritable
        self.bounding = bounding
        // Before Linux 4.3 there is no ambient set, before 4.10 no NoNewPrivs line.
        ambient = fields["CapAmb"].flatMap(CapabilitySet.init(hex:)) ?? .empty
        noNewPrivileges = fields["NoNewPrivs"] == "1"
        let bit = UInt64(1) << UInt64(SIGSYS - 1)
        blocksSIGSYS = fields["SigBlk"].flatMap { UInt64($0, radix: 16) }.map { $0 & bit != 0 } ?? false
    }

    /// Whether the thread holds nothing beyond `keep`: no other capability in its permitted,
    /// inheritable or ambient set, and none in its bounding set that it could drop (the
    /// bounding set changes only with CAP_SETPCAP).
    public func holdsNothing(beyond keep: CapabilitySet) -> Bool {
        permitted.isSubset(of: keep) && inheritable.isSubset(of: keep) && ambient.isSubset(of: keep)
            && (bounding.isSubset(of: keep) || !permitted.contains(.setPCap))
    }

    /// Whether both threads have the same sets and no_new_privs (names and ids aside).
    public func hasSameSets(as other: ThreadCapabilities) -> Bool {
        effective == other.effective && permitted == other.permitted && inheritable == other.inheritable
            && bounding == other.bounding && ambient == other.ambient && noNewPrivileges == other.noNewPrivileges
    }

    /// `effective=CAP_NET_ADMIN permitted=... inheritable=... ambient=... bounding=... no_new_privs=1`.
    public var description: String {
        "effective=\(effective) permitted=\(permitted) inheritable=\(inheritable) ambient=\(ambient)"
            + " bounding=\(bounding) no_new_privs=\(noNewPrivileges ? 1 : 0)"
    }
}

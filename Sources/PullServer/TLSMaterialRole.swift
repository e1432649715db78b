/// Which piece of TLS material a file or inline text is, named by its `tls_server_config`
/// keys so that an error points at the line to fix.
enum TLSMaterialRole: Sendable {
    case certificate
    case privateKey
    case clientCA

    /// The key naming the material in a file (`cert_file`) or inline (`cert`).
    func key(for source: PEMSource) -> String {
        let inline = if case .inline = source { true } else { false }
        switch self {
        case .certificate: return inline ? "cert" : "cert_file"
        case .privateKey: return inline ? "key" : "key_file"
        case .clientCA: return inline ? "client_ca" : "client_ca_file"
        }
    }
}

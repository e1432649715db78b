import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads certificates and keys from their ``PEMSource`` and builds the TLS context, with
/// errors that name the `tls_server_config` key, the file and what is wrong with it.
enum TLSMaterialLoader {
    /// One loaded version of the settings: the context for new connections and the
    /// fingerprints of the files it was built from.
    struct Loaded {
        var context: NIOSSLContext
        var fingerprints: [String: FileFingerprint?]
    }

    /// The fingerprints of every file the settings name, as they are now.
    static func fingerprints(of settings: TLSServerSettings) -> [String: FileFingerprint?] {
        var result: [String: FileFingerprint?] = [:]
        for source in [settings.certificate, settings.privateKey, settings.clientCA] {
            if case .file(let path) = source { result[path] = FileFingerprint(path: path) }
        }
        return result
    }

    static func load(_ settings: TLSServerSettings) throws(MetricsServerError) -> Loaded {
        if let problem = settings.problems.first {
            throw .invalidTLSSettings("\(problem.key): \(problem)")
        }
        // Taken before reading, so that a file changing while it is read is seen as changed next time.
        let fingerprints = fingerprints(of: settings)
        let chain = try certificates(settings.certificate, role: .certificate)
        let key = try privateKey(settings.privateKey)
        try checkPair(chain[0], key, settings: settings)

        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = nioVersion(settings.minimumVersion)
        configuration.maximumTLSVersion = nioVersion(settings.maximumVersion)
        let classicSuites = settings.cipherSuites.filter { !$0.isTLS13 }
        if !classicSuites.isEmpty {
            configuration.cipherSuiteValues = classicSuites.map { NIOTLSCipher(rawValue: $0.codePoint) }
        }
        if !settings.curvePreferences.isEmpty {
            configuration.curves = settings.curvePreferences.map { NIOTLSCurve(rawValue: $0.codePoint) }
        }
        configuration.applicationProtocols = ["http/1.1"]
        switch settings.clientCertificatePolicy {
        case .noClientCert:
            configuration.certificateVerification = .none
        case .requestClientCert, .verifyClientCertIfGiven:
            configuration.certificateVerification = .optionalVerification
        case .requireAnyClientCert, .requireAndVerifyClientCert:
            configuration.certificateVerification = .noHostnameVerification
        }
        if let clientCA = settings.clientCA {
            configuration.trustRoots = .certificates(try certificates(clientCA, role: .clientCA))
            configuration.sendCANameList = true
        }
        do {
            return Loaded(context: try NIOSSLContext(configuration: configuration), fingerprints: fingerprints)
        } catch {
            throw .invalidTLSSettings("BoringSSL refused the TLS settings: \(error)")
        }
    }

    private static func nioVersion(_ version: TLSProtocolVersion) -> TLSVersion {
        switch version {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }

    private static func describe(_ source: PEMSource) -> String {
        switch source {
        case .file(let path): path
        case .inline: "(inline PEM)"
        }
    }

    private static func failure(_ role: TLSMaterialRole, _ source: PEMSource, _ reason: String) -> MetricsServerError {
        .invalidTLSMaterial(key: role.key(for: source), source: describe(source), reason: reason)
    }

    private static func bytes(_ source: PEMSource, role: TLSMaterialRole) throws(MetricsServerError) -> [UInt8] {
        switch source {
        case .inline(let text):
            return Array(text.utf8)
        case .file(let path):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw failure(role, source, "cannot open it: \(String(cString: strerror(errno))) \(readHint)")
            }
            defer { close(descriptor) }
            var content: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure(role, source, "cannot read it: \(String(cString: strerror(errno))) \(readHint)")
                }
                if count == 0 { return content }
                content += chunk[0..<count]
                if content.count > 16 << 20 {
                    throw failure(role, source, "it is larger than 16 MiB, which no PEM file is; check the path")
                }
            }
        }
    }

    private static let readHint =
        "(check the path and that ipvs-push may read it; a relative path is relative to the web configuration file)"

    private static func certificates(
        _ source: PEMSource, role: TLSMaterialRole
    ) throws(MetricsServerError) -> [NIOSSLCertificate] {
        let pem = try bytes(source, role: role)
        let text = String(decoding: pem, as: UTF8.self)
        guard text.contains("-----BEGIN CERTIFICATE-----") else {
            if text.contains("PRIVATE KEY-----") {
                throw failure(
                    role, source, "it holds a private key, not a certificate (are cert_file and key_file swapped?)")
            }
            throw failure(role, source, "there is no PEM certificate (-----BEGIN CERTIFICATE-----) in it")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(pem)
        } catch {
            throw failure(role, source, "its PEM certificate cannot be parsed (\(error)); is it cut or mangled?")
        }
        guard !certificates.isEmpty else {
            throw failure(role, source, "its PEM certificate cannot be parsed; is it cut or mangled?")
        }
        return certificates
    }

    private static func privateKey(_ source: PEMSource) throws(MetricsServerError) -> NIOSSLPrivateKey {
        let pem = try bytes(source, role: .privateKey)
        let text = String(decoding: pem, as: UTF8.self)
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED") {
            throw failure(
                .privateKey, source,
                "the private key is encrypted with a passphrase, which is not supported; "
                    + "decrypt it with: openssl pkey -in encrypted.key -out plain.key")
        }
        guard text.contains("PRIVATE KEY-----") else {
            if text.contains("-----BEGIN CERTIFICATE-----") {
                throw failure(
                    .privateKey, source,
                    "it holds a certificate, not a private key (are cert_file and key_file swapped?)")
            }
            throw failure(.privateKey, source, "there is no PEM private key (-----BEGIN PRIVATE KEY-----) in it")
        }
        do {
            return try NIOSSLPrivateKey(bytes: pem, format: .pem)
        } catch {
            throw failure(.privateKey, source, "its PEM private key cannot be parsed (\(error)); is it cut or mangled?")
        }
    }

    /// Fails unless the key is the private half of the certificate's public key.
    private static func checkPair(
        _ certificate: NIOSSLCertificate, _ key: NIOSSLPrivateKey, settings: TLSServerSettings
    ) throws(MetricsServerError) {
        var probe = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        probe.certificateVerification = .none
        do {
            _ = try NIOSSLContext(configuration: probe)
        } catch {
            throw .invalidTLSMaterial(
                key: TLSMaterialRole.privateKey.key(for: settings.privateKey), source: describe(settings.privateKey),
                reason: "the private key does not belong to the certificate in \(describe(settings.certificate)) "
                    + "(\(error)); give the key the certificate was issued for")
        }
    }
}

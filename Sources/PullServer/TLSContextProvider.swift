import Logging
import NIOConcurrencyHelpers
import NIOSSL

/// The TLS context new connections get, kept current with the certificate files.
///
/// exporter-toolkit reads its certificate files again for every new connection, so that a
/// renewed certificate is used at once. This does the same with less work: each new
/// connection looks at the files' fingerprints (a `stat` each) and the files are read
/// and the context rebuilt only when one changed. When the new files do not load (say
/// the certificate was replaced but the key not yet), the previous context stays in use,
/// a warning is logged once for that version of the files, and the next connection tries again.
final class TLSContextProvider: Sendable {
    private struct State {
        var settings: TLSServerSettings
        var loaded: TLSMaterialLoader.Loaded
        /// The file versions that failed to load, so that their failure is logged once.
        var failedFingerprints: [String: FileFingerprint?]?
    }

    private let state: NIOLockedValueBox<State>
    private let logger: Logger

    /// Loads the material once, so that a broken configuration stops the server from starting.
    init(settings: TLSServerSettings, logger: Logger) throws(MetricsServerError) {
        let loaded = try TLSMaterialLoader.load(settings)
        state = NIOLockedValueBox(State(settings: settings, loaded: loaded, failedFingerprints: nil))
        self.logger = logger
    }

    /// The settings in use.
    var settings: TLSServerSettings { state.withLockedValue { $0.settings } }

    /// Replaces the settings (a reload); the old ones stay in use when the new ones fail.
    func replace(with settings: TLSServerSettings) throws(MetricsServerError) {
        let loaded = try TLSMaterialLoader.load(settings)
        state.withLockedValue { $0 = State(settings: settings, loaded: loaded, failedFingerprints: nil) }
    }

    /// The context and settings for a connection being accepted now, reloading the files first
    /// when they changed.
    func current() -> (context: NIOSSLContext, settings: TLSServerSettings) {
        state.withLockedValue { state in
            let now = TLSMaterialLoader.fingerprints(of: state.settings)
            guard now != state.loaded.fingerprints, now != state.failedFingerprints else {
                return (state.loaded.context, state.settings)
            }
            do {
                state.loaded = try TLSMaterialLoader.load(state.settings)
                state.failedFingerprints = nil
                logger.info("TLS certificate files changed, loaded them again")
            } catch {
                state.failedFingerprints = now
                logger.warning(
                    "TLS certificate files changed but cannot be loaded; still using the previous ones",
                    metadata: ["error": "\(error)"])
            }
            return (state.loaded.context, state.settings)
        }
    }
}

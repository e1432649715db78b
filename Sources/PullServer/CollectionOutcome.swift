import Exposition

/// What one scrape got from waiting for a collection.
enum CollectionOutcome: Sendable {
    /// The collection finished in time; other scrapes may share the same content.
    case collected(ScrapeContent)
    /// The scrape's timeout passed first; the collection goes on for later scrapes.
    case timedOut
    /// The scrape's task was cancelled (its client went away) before the collection finished.
    case cancelled
}

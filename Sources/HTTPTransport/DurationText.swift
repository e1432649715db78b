import TimeUnits

/// Short human text for a `Duration` in messages ("250ms", "1.5s"), since
/// `Duration`'s own description prints raw seconds with many digits.
enum DurationText {
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(Double(milliseconds) / 1000)s"
    }
}

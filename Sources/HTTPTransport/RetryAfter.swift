import Foundation

/// Reads an HTTP `Retry-After` value (RFC 9110 §10.2.3): either a number of seconds
/// or an HTTP date, in any of the three date forms a server may send.
public enum RetryAfter {
    /// The delay `value` asks for, measured from `now`; zero for a date in the past,
    /// nil when the value is neither form.
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return .seconds(Int64(trimmed) ?? Int64(Int32.max))
        }
        guard let date = httpDate(trimmed) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds <= 0 ? .zero : .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850
    /// form (`Sunday, 06-Nov-94 08:49:37 GMT`) or C's asctime form
    /// (`Sun Nov  6 08:49:37 1994`). All are in UTC.
    public static func httpDate(_ text: String) -> Date? {
        var tokens: [Substring] = []
        var current: Substring.Index? = nil
        for index in text.indices {
            let character = text[index]
            if character.isLetter || character.isNumber {
                if current == nil { current = index }
            } else if let start = current {
                tokens.append(text[start..<index])
                current = nil
            }
        }
        if let start = current { tokens.append(text[start...]) }

        let day: Int?
        let month: Int?
        var year: Int?
        let clock: ArraySlice<Substring>
        if tokens.count == 7, monthNumber(tokens[1]) != nil {
            month = monthNumber(tokens[1])
            day = Int(tokens[2])
            clock = tokens[3..<6]
            year = Int(tokens[6])
        } else if tokens.count == 8, tokens[7] == "GMT" {
            day = Int(tokens[1])
            month = monthNumber(tokens[2])
            year = Int(tokens[3])
            clock = tokens[4..<7]
            if let twoDigits = year, tokens[3].count == 2 {
                year = twoDigits < 70 ? 2000 + twoDigits : 1900 + twoDigits
            }
        } else {
            return nil
        }
        let time = clock.compactMap { Int($0) }
        guard let day, let month, let year, time.count == 3, (1...31).contains(day), time[0] < 24, time[1] < 60,
            time[2] < 61
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func monthNumber(_ name: Substring) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
    /// days-from-civil algorithm).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

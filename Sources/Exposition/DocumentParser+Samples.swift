#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension DocumentParser {
    // MARK: Sample lines

    /// Reads `name[{labels}] value [timestamp]` (and an OpenMetrics exemplar) and adds
    /// the sample to its family.
    mutating func readSample() throws(ExpositionParseError) {
        let nameStart = index
        let nameCount = scanMetricName()
        guard nameCount > 0 else {
            let expected = openMetrics ? "a metric name or '#'" : "a metric name, '#' or an empty line"
            let digitHint = index < end && isDigit(bytes[index]) ? " (a metric name cannot start with a digit)" : ""
            throw failure(
                "expected \(expected) at the start of the line, found \(describe(index))\(digitHint); "
                    + "metric names are made of letters, digits, '_' and ':'")
        }
        let nameIndex = try resolveSampleName(nameStart, nameCount)

        var labelSetID: Int32 = 0
        let afterName = index
        skipBlanksInText()
        if index < end && bytes[index] == UInt8(ascii: "{") {
            labelSetID = try readLabelSet(position: family.sampleLines)
        } else {
            index = afterName
        }

        // The value: one space before it in OpenMetrics; blanks in the text format, where
        // they may be left out after a `}`.
        if openMetrics {
            guard index < end && bytes[index] == UInt8(ascii: " ") else { throw missingValue(nameStart, nameCount) }
            index += 1
        } else {
            let blanksStart = index
            skipBlanksInText()
            if index == blanksStart && (index == nameStart + nameCount) {
                throw missingValue(nameStart, nameCount)
            }
        }
        let valueStart = index
        while index < end && !isFieldEnd(bytes[index]) { index += 1 }
        let valueCount = index - valueStart
        guard valueCount > 0 else { throw missingValue(nameStart, nameCount) }
        guard let value = NumberText.parseDouble(bytes + valueStart, count: valueCount) else {
            throw failure(
                "invalid value \(quoted(valueStart, valueCount)) for \"\(text(nameStart, nameCount))\": "
                    + "expected a number such as 1, -2.5 or 1e3, or +Inf, -Inf or NaN")
        }

        var timestamp: Int64?
        var exemplarStart: Int?
        var exemplar: Double?
        if openMetrics {
            if index < end && bytes[index] == UInt8(ascii: " ") {
                index += 1
                if index < end && bytes[index] == UInt8(ascii: "#") {
                    exemplarStart = index
                } else {
                    timestamp = try readOpenMetricsTimestamp(name: nameStart, nameCount)
                    if index < end && bytes[index] == UInt8(ascii: " ") {
                        index += 1
                        exemplarStart = index
                    }
                }
            }
            if exemplarStart != nil {
                exemplar = try readExemplar(role: family.sampleNames[nameIndex].role, name: nameStart, nameCount)
            }
            try expectEndOfLine(after: "the sample \"\(text(nameStart, nameCount))\"")
        } else {
            skipBlanksInText()
            if index < end && bytes[index] != UInt8(ascii: "\n") && bytes[index] != UInt8(ascii: "\r") {
                let timestampStart = index
                while index < end && !isFieldEnd(bytes[index]) { index += 1 }
                guard let milliseconds = NumberText.parseInteger(bytes + timestampStart, count: index - timestampStart)
                else {
                    throw failure(
                        "invalid timestamp \(quoted(timestampStart, index - timestampStart)) for "
                            + "\"\(text(nameStart, nameCount))\": the text format wants integer milliseconds "
                            + "since the epoch (OpenMetrics, with seconds, must end with '# EOF')")
                }
                timestamp = milliseconds
                skipBlanksInText()
                try expectEndOfLine(after: "the timestamp (a sample line is: name, labels, value, timestamp)")
            } else {
                try expectEndOfLine(after: "the value")
            }
        }

        try record(nameIndex: nameIndex, labelSetID: labelSetID, value: value, timestamp: timestamp, exemplar: exemplar)
        try endLine()
    }

    @inline(__always)
    private func isFieldEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
            || byte == UInt8(ascii: "\r")
    }

    private func missingValue(_ nameStart: Int, _ nameCount: Int) -> ExpositionParseError {
        if index < end && bytes[index] != UInt8(ascii: "\n") && bytes[index] != UInt8(ascii: " ")
            && index == nameStart + nameCount
        {
            return invalidNameCharacter(text(nameStart, nameCount), what: "metric name")
        }
        let separator = openMetrics ? "a single space" : "a space"
        return failure(
            "sample \"\(text(nameStart, nameCount))\" has no value: expected \(separator) and a number "
                + "after the name and labels, found \(describe(index))")
    }

    private func quoted(_ start: Int, _ count: Int) -> String {
        "\"" + text(start, min(count, 64)) + (count > 64 ? "…" : "") + "\""
    }

    /// An OpenMetrics timestamp: seconds since the epoch, possibly with a fraction.
    private mutating func readOpenMetricsTimestamp(name nameStart: Int, _ nameCount: Int) throws(ExpositionParseError)
        -> Int64
    {
        let start = index
        while index < end && !isFieldEnd(bytes[index]) { index += 1 }
        guard let milliseconds = NumberText.parseSecondsAsMilliseconds(bytes + start, count: index - start) else {
            if let seconds = NumberText.parseDouble(bytes + start, count: index - start), seconds.isFinite {
                throw failure(
                    "timestamp \(quoted(start, index - start)) for \"\(text(nameStart, nameCount))\" is more than "
                        + "292 million years from 1970 in seconds, which ipvs-push cannot hold: OpenMetrics timestamps "
                        + "are seconds (1700000000.123), not milliseconds or nanoseconds")
            }
            throw failure(
                "invalid timestamp \(quoted(start, index - start)) for \"\(text(nameStart, nameCount))\": "
                    + "OpenMetrics wants seconds since the epoch, such as 1700000000 or 1700000000.123")
        }
        return milliseconds
    }

    /// ` # {labels} value [timestamp]` after an OpenMetrics counter total or bucket; it
    /// is checked and not kept. Returns its value, which a bucket's range must hold.
    private mutating func readExemplar(role: SampleRole, name nameStart: Int, _ nameCount: Int)
        throws(ExpositionParseError) -> Double
    {
        let name = text(nameStart, nameCount)
        guard role == .total || role == .bucket else {
            throw failure(
                "exemplar on \"\(name)\": OpenMetrics allows exemplars only on counter '_total' and histogram "
                    + "'_bucket' samples")
        }
        guard
            index + 2 < end && bytes[index] == UInt8(ascii: "#") && bytes[index + 1] == UInt8(ascii: " ")
                && bytes[index + 2] == UInt8(ascii: "{")
        else {
            throw failure(
                "unexpected \(describe(index)) after the sample \"\(name)\": "
                    + "expected the end of the line or an exemplar ' # {labels} value'")
        }
        index += 2
        let labels = try decodeLabels()
        let length = labels.reduce(0) { $0 + $1.name.unicodeScalars.count + $1.value.unicodeScalars.count }
        guard length <= 128 else {
            throw failure(
                "the exemplar labels of \"\(name)\" are \(length) characters long: OpenMetrics allows at most 128")
        }
        guard index < end && bytes[index] == UInt8(ascii: " ") else {
            throw failure("the exemplar of \"\(name)\" has no value: expected a space and a number after its labels")
        }
        index += 1
        let valueStart = index
        while index < end && bytes[index] != UInt8(ascii: " ") && bytes[index] != UInt8(ascii: "\n") { index += 1 }
        guard let value = NumberText.parseDouble(bytes + valueStart, count: index - valueStart) else {
            throw failure(
                "invalid exemplar value \(quoted(valueStart, index - valueStart)) for \"\(name)\": expected a number")
        }
        if index < end && bytes[index] == UInt8(ascii: " ") {
            index += 1
            _ = try readOpenMetricsTimestamp(name: nameStart, nameCount)
        }
        return value
    }

    // MARK: Families of samples

    /// Finds which sample name of the current family this is, continues the text-format
    /// family the name belongs to, or starts a new untyped family named after the sample.
    /// Returns the index into the family's sample names.
    private mutating func resolveSampleName(_ start: Int, _ count: Int) throws(ExpositionParseError) -> Int {
        if hasFamily {
            for position in family.sampleNames.indices {
                let same = family.sampleNames[position].bytes.withUnsafeBufferPointer { name in
                    name.count == count && memcmp(name.baseAddress!, bytes + start, count) == 0
                }
                guard same else { continue }
                if !family.namesClaimed { try claimNames(line: line) }
                return position
            }
        }
        let name = text(start, count)
        if !openMetrics, let owner = sampleOwners[name], !(hasFamily && owner.family == family.name) {
            // Prometheus merges a family that comes back after others.
            try endFamily()
            resume(familyPositions[owner.family]!)
            if let position = family.sampleNames.firstIndex(where: { $0.name == name }) {
                if !family.namesClaimed { try claimNames(line: line) }
                return position
            }
            throw doesNotBelong(name, to: family)
        }
        if hasFamily && family.declared && family.kind.hasOwnSuffixes && isLikelyMember(start, count, of: family.name) {
            if openMetrics || count == family.name.utf8.count { throw doesNotBelong(name, to: family) }
            let kindWord = family.kind.word(openMetrics: false)
            let hint =
                family.kind == .counter && name == family.name + "_total"
                ? "write '# TYPE \(name) counter' if the counter is \"\(name)\" (or end an OpenMetrics file with "
                    + "'# EOF')"
                : "declare it with '# TYPE \(name) …' if it is meant as a family of its own"
            warnings.append(
                ExpositionWarning(
                    source: source, line: line,
                    message: "sample \"\(name)\" is not part of the \(kindWord) family \"\(family.name)\" (line "
                        + "\(family.typeLine ?? family.firstLine)), whose samples are named \(family.sampleNameList): "
                        + "it is sent as the untyped family \"\(name)\", as Prometheus reads it; \(hint)"))
        }
        try endFamily()
        if let position = familyPositions[name] {
            let existing = allFamilies[position]
            if openMetrics {
                throw failure(
                    "samples of \"\(name)\" appear again after other families (the family starts on line "
                        + "\(existing.firstLine)): keep all lines of a metric family together")
            }
            throw doesNotBelong(name, to: existing)
        }
        try startFamily(name: name, declared: false)
        try claimNames(line: line)
        return 0
    }

    /// The error for a sample named like `family` (or with one of its type's suffixes)
    /// that is none of its samples.
    private func doesNotBelong(_ name: String, to family: OpenFamily) -> ExpositionParseError {
        let kindWord = family.kind.word(openMetrics: openMetrics)
        let declaredOn = family.typeLine ?? family.firstLine
        var hint = ""
        if !openMetrics && family.kind == .histogram && name == family.name {
            hint = " (the Pushgateway would store it as a bucket, or drop it without an \"le\" label)"
        }
        return failure(
            "sample \"\(name)\" does not belong to the \(kindWord) family \"\(family.name)\" (line \(declaredOn)): "
                + "its samples are named \(family.sampleNameList)\(hint)")
    }

    /// Enters every sample name the current family has (used or not, so a counter's
    /// `_total` is reserved even without samples) in the owner table, rejecting a name
    /// another family has: a family split in two, or two families whose series or model
    /// names would clash. `line` is where an error is reported and what later messages
    /// name as this family's line.
    mutating func claimNames(line errorLine: Int) throws(ExpositionParseError) {
        for entry in family.sampleNames {
            if let owner = sampleOwners[entry.name], owner.family != family.name {
                throw ExpositionParseError(
                    source: source, line: errorLine,
                    reason: "sample name \"\(entry.name)\" is already used by the family \"\(owner.family)\" "
                        + "(line \(owner.line)): keep all lines of a metric family together and give every family "
                        + "its own names")
            }
        }
        for entry in family.sampleNames { sampleOwners[entry.name] = (family.name, errorLine) }
        family.namesClaimed = true
    }

    /// Whether the name is the family's name or the family's name plus a suffix some
    /// family type uses (`_total`, `_bucket`, …).
    private func isLikelyMember(_ start: Int, _ count: Int, of family: String) -> Bool {
        let familyBytes = Array(family.utf8)
        guard count >= familyBytes.count, matches(start, familyBytes.count, familyBytes) else { return false }
        let suffix = text(start + familyBytes.count, count - familyBytes.count)
        return FamilyKind.knownSuffixes.contains(suffix)
    }

    /// Checks the sample against its role, its value and the family's series so far, then
    /// keeps it.
    private mutating func record(
        nameIndex: Int, labelSetID: Int32, value: Double, timestamp: Int64?, exemplar: Double?
    ) throws(ExpositionParseError) {
        let role = family.sampleNames[nameIndex].role
        let labels = labelSets[Int(labelSetID)]
        // The metric's own labels (without a bucket's or quantile's), needed only there and
        // for OpenMetrics points: not made for the plain samples of the text format.
        let metric: Labels =
            switch role {
            case .bucket: labels.removing("le")
            case .quantile: labels.removing("quantile")
            default: openMetrics ? labels : .empty
            }
        if openMetrics { try enterPoint(metric, timestamp: timestamp) }
        let slot = Int(labelSetID) &* 4 &+ nameIndex
        let stamp = seriesStamps[slot]
        if stamp >> 32 == generation {
            guard openMetrics else {
                throw failure(
                    "duplicate series \(Self.seriesText(family.sampleNames[nameIndex].name, labels)) "
                        + "(first on line \(stamp & 0xFFFF_FFFF)): each name and label set may appear only once")
            }
            try startNextPoint(
                timestamp: timestamp, name: family.sampleNames[nameIndex].name, labels: labels,
                firstLine: stamp & 0xFFFF_FFFF)
        }
        seriesStamps[slot] = generation << 32 | UInt64(truncatingIfNeeded: line)
        try checkValue(value, role: role, nameIndex: nameIndex, labels: labels, metric: metric, exemplar: exemplar)
        if !openMetrics {
            family.seriesKeys.append(UInt64(slot) << 32 | (UInt64(truncatingIfNeeded: line) & 0xFFFF_FFFF))
        }
        family.sampleLines += 1
        guard role != .created else { return }
        if timestamp != nil { timestampedSamples += 1 }
        family.samples.append(
            Sample(
                name: family.sampleNames[nameIndex].name, labels: labels, value: value,
                timestampMilliseconds: timestamp))
        family.sampleLineNumbers.append(line)
    }

    // MARK: Label sets

    /// Reads `{…}` at the current position and returns the id of its label set. A section
    /// whose exact text was seen before is not decoded again.
    private mutating func readLabelSet(position: Int) throws(ExpositionParseError) -> Int32 {
        let start = index
        // A section is self-delimiting: if the bytes here start with the whole section seen
        // at this position before, they are that section.
        if position < sectionsByPosition.count {
            let known = sectionsByPosition[position]
            if known.count <= end - start && memcmp(bytes + known.start, bytes + start, known.count) == 0 {
                index = start + known.count
                return known.id
            }
        }
        let id = try readLabelSetByText()
        let section = Section(start: start, count: index - start, id: id)
        if position < sectionsByPosition.count {
            sectionsByPosition[position] = section
        } else if position == sectionsByPosition.count {
            sectionsByPosition.append(section)
        }
        return id
    }

    private mutating func readLabelSetByText() throws(ExpositionParseError) -> Int32 {
        let start = index
        var position = index + 1
        var inQuotes = false
        var closed = false
        scan: while position < end {
            let byte = bytes[position]
            if inQuotes {
                if byte == UInt8(ascii: "\\") {
                    position += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    inQuotes = false
                } else if byte == UInt8(ascii: "\n") {
                    break scan
                }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes = true
            } else if byte == UInt8(ascii: "}") {
                closed = true
                break scan
            } else if byte == UInt8(ascii: "\n") {
                break scan
            }
            position += 1
        }
        guard closed else {
            _ = try decodeLabels()
            throw failure("the label set is not closed: expected '}'")
        }
        let key = ByteKey(bytes + start, count: position + 1 - start)
        if let id = labelSetsByText[key] {
            index = position + 1
            return id
        }
        let labels = try decodeLabels()
        let id = labels.isEmpty ? 0 : identify(labels, writtenAs: key)
        labelSetsByText[key] = id
        return id
    }

    /// The id of a label set met for the first time in the spelling `raw`. Most documents
    /// write label sets the way the renderer does (sorted, no blanks), so their raw text is
    /// canonical and a new spelling is a new set; other spellings are compared by the
    /// canonical text.
    private mutating func identify(_ labels: Labels, writtenAs raw: ByteKey) -> Int32 {
        canonicalText.removeAll(keepingCapacity: true)
        ExpositionRenderer.appendLabels(labels.pairs, into: &canonicalText)
        let isCanonical = canonicalText.withUnsafeBufferPointer { canonical in
            canonical.count == raw.count && memcmp(canonical.baseAddress!, raw.start, raw.count) == 0
        }
        if isCanonical {
            if !labelSetsByCanonicalText.isEmpty, let known = labelSetsByCanonicalText[canonicalText] { return known }
        } else {
            let known = canonicalText.withUnsafeBufferPointer { canonical in
                labelSetsByText[ByteKey(canonical.baseAddress!, count: canonical.count)]
            }
            if let known = known ?? labelSetsByCanonicalText[canonicalText] { return known }
        }
        let id = Int32(labelSets.count)
        labelSets.append(labels)
        seriesStamps.append(contentsOf: [0, 0, 0, 0])
        if !isCanonical { labelSetsByCanonicalText[canonicalText] = id }
        return id
    }

    /// Decodes and checks `{name="value",…}` at the current position.
    mutating func decodeLabels() throws(ExpositionParseError) -> Labels {
        index += 1
        var pairs: [Label] = []
        skipBlanksInText()
        if index < end && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .empty
        }
        while true {
            let nameStart = index
            let nameCount = scanLabelName()
            guard nameCount > 0 else {
                throw failure(
                    "invalid label name: expected a letter or '_' to start it, found \(describe(index)); "
                        + "label names are made of letters, digits and '_'")
            }
            let name = text(nameStart, nameCount)
            skipBlanksInText()
            guard index < end && bytes[index] == UInt8(ascii: "=") else {
                throw failure("expected '=' after the label name \"\(name)\", found \(describe(index))")
            }
            index += 1
            skipBlanksInText()
            guard index < end && bytes[index] == UInt8(ascii: "\"") else {
                throw failure("the value of label \"\(name)\" must be quoted: expected '\"', found \(describe(index))")
            }
            index += 1
            let value = try readLabelValue(name)
            if name == "__name__" {
                throw failure("the label name \"__name__\" is reserved: the metric name goes before the '{'")
            }
            if openMetrics && name.utf8.first == UInt8(ascii: "_") {
                throw failure(
                    "the label name \"\(name)\" starts with '_': OpenMetrics reserves such names; rename the label")
            }
            if name.utf8.starts(with: "__".utf8) {
                throw failure(
                    "the label name \"\(name)\" starts with '__', which Prometheus reserves for its own labels (the "
                        + "Pushgateway refuses it): rename the label")
            }
            if pairs.contains(where: { $0.name == name }) {
                throw failure("duplicate label \"\(name)\" in one sample: each label name may appear only once")
            }
            pairs.append(Label(name, value))
            skipBlanksInText()
            guard index < end else { throw failure("the label set is not closed: expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipBlanksInText()
                if index < end && bytes[index] == UInt8(ascii: "}") {
                    if openMetrics {
                        throw failure("',' before '}': OpenMetrics does not allow a trailing comma in a label set")
                    }
                    index += 1
                    break
                }
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                break
            }
            throw failure(
                "expected ',' or '}' after the value of label \"\(name)\", found \(describe(index))")
        }
        var sorted = true
        for position in pairs.indices.dropFirst()
        where !Labels.bytewiseLess(pairs[position - 1].name, pairs[position].name) {
            sorted = false
            break
        }
        if !sorted { pairs.sort { Labels.bytewiseLess($0.name, $1.name) } }
        return Labels(presorted: pairs)
    }

    /// Reads a label value after its opening quote, through the closing quote.
    private mutating func readLabelValue(_ name: String) throws(ExpositionParseError) -> String {
        let start = index
        var escaped = false
        while true {
            guard index < end && bytes[index] != UInt8(ascii: "\n") else {
                throw failure("label value for \"\(name)\" is not terminated: expected '\"'")
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                let next = index + 1 < end ? bytes[index + 1] : UInt8(ascii: "\n")
                let allowed =
                    openMetrics
                    ? next != UInt8(ascii: "\n")
                    : next == UInt8(ascii: "\\") || next == UInt8(ascii: "\"") || next == UInt8(ascii: "n")
                guard allowed else {
                    throw failure(
                        "label value for \"\(name)\" has the invalid escape \(describeEscape(index)): "
                            + (openMetrics
                                ? "a backslash must be followed by a character on the same line"
                                : "only \\\\, \\\" and \\n are allowed"))
                }
                escaped = true
                index += 2
                continue
            }
            index += 1
        }
        let count = index - start
        index += 1
        try checkUTF8(start, count, what: "the value of label \"\(name)\"")
        return escaped ? unescape(start, count) : text(start, count)
    }
}

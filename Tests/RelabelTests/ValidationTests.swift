import Testing

@testable import Relabel

@Suite("Rule validation: Prometheus' checks, messages that name the field")
struct ValidationTests {
    private func message(_ rules: [RelabelRule]) -> String? {
        do {
            _ = try Relabeler(rules)
            return nil
        } catch {
            return error.description
        }
    }

    private func message(_ rule: RelabelRule) -> String? { message([rule]) }

    @Test("Valid rules of every action pass")
    func valid() throws {
        let rules = [
            RelabelRule(sourceLabels: ["a"], targetLabel: "b"),
            RelabelRule(sourceLabels: ["a"], regex: "(.)(.)", targetLabel: "${1}_$2x"),
            RelabelRule(action: .keep, sourceLabels: ["a"]),
            RelabelRule(action: .drop, sourceLabels: ["a"], regex: "x"),
            RelabelRule(action: .keepEqual, sourceLabels: ["a"], targetLabel: "b"),
            RelabelRule(action: .dropEqual, sourceLabels: ["a"], targetLabel: "b"),
            RelabelRule(action: .hashMod, sourceLabels: ["a"], modulus: 3, targetLabel: "s"),
            RelabelRule(action: .labelMap, regex: "meta_(.+)"),
            RelabelRule(action: .labelDrop, regex: "tmp_.*"),
            RelabelRule(action: .labelKeep, regex: "keep_.*"),
            RelabelRule(action: .lowercase, sourceLabels: ["a"], targetLabel: "b"),
            RelabelRule(action: .uppercase, sourceLabels: ["a"], targetLabel: "b"),
        ]
        _ = try Relabeler(rules)
        for rule in rules { try rule.validate() }
    }

    @Test("replace needs a target label, valid as a name or as a template")
    func replaceTarget() {
        #expect(
            message(RelabelRule(sourceLabels: ["a"]))
                == "relabel rule 1 (replace): target_label is required for the replace action")
        #expect(
            message(RelabelRule(targetLabel: "1st"))
                == "relabel rule 1 (replace): target_label \"1st\" is not a valid label name: use letters, digits and "
                + "underscores, not starting with a digit")
        #expect(
            message(RelabelRule(targetLabel: "a-b"))
                == "relabel rule 1 (replace): target_label \"a-b\" is not a valid label name: use letters, digits and "
                + "underscores, not starting with a digit")
        #expect(
            message(RelabelRule(targetLabel: "x_$1-y"))
                == "relabel rule 1 (replace): target_label \"x_$1-y\" is not a valid label name template: use letters, "
                + "digits, underscores and $1, ${1}, $name or ${name} references, not starting with a digit")
        #expect(message(RelabelRule(targetLabel: "${}")) != nil)
        #expect(message(RelabelRule(targetLabel: "$$")) != nil)
        #expect(message(RelabelRule(targetLabel: "$1")) == nil)
    }

    @Test("The rule's position is 1-based and the error carries the field")
    func position() throws {
        let rules = [
            RelabelRule(targetLabel: "ok"), RelabelRule(action: .hashMod, sourceLabels: ["a"], targetLabel: "s"),
        ]
        #expect(
            message(rules) == "relabel rule 2 (hashmod): modulus must be greater than 0 for the hashmod action")
        do {
            _ = try Relabeler(rules)
            Issue.record("accepted")
        } catch {
            #expect(error.rule == 2 && error.field == "modulus" && error.action == .hashMod)
        }
        #expect(throws: RelabelError.self) { try rules[1].validate() }
        do {
            try rules[1].validate()
        } catch {
            #expect(error.rule == nil)
            #expect(
                error.description == "relabel rule (hashmod): modulus must be greater than 0 for the hashmod action")
        }
    }

    @Test("labeldrop and labelkeep take only a regex")
    func labelDropKeepFields() {
        #expect(
            message(RelabelRule(action: .labelDrop, sourceLabels: ["a"], regex: "x"))
                == "relabel rule 1 (labeldrop): the labeldrop action takes only regex; remove source_labels")
        #expect(
            message(RelabelRule(action: .labelKeep, separator: ",", targetLabel: "t", replacement: "r"))
                == "relabel rule 1 (labelkeep): the labelkeep action takes only regex; remove separator, target_label, "
                + "replacement")
        #expect(
            message(RelabelRule(action: .labelDrop, modulus: 2))
                == "relabel rule 1 (labeldrop): the labeldrop action takes only regex; remove modulus")
    }

    @Test("keepequal and dropequal take only source labels and a target")
    func equalFields() {
        #expect(
            message(RelabelRule(action: .keepEqual, sourceLabels: ["a"], regex: "x", targetLabel: "b"))
                == "relabel rule 1 (keepequal): the keepequal action takes only source_labels and target_label; remove "
                + "regex")
        #expect(
            message(RelabelRule(action: .dropEqual, sourceLabels: ["a"]))
                == "relabel rule 1 (dropequal): target_label is required for the dropequal action")
        #expect(
            message(RelabelRule(action: .dropEqual, sourceLabels: ["a"], targetLabel: "b", replacement: "c"))
                == "relabel rule 1 (dropequal): replacement cannot be set for the dropequal action")
    }

    @Test("lowercase, uppercase and hashmod write a plain label name")
    func plainTargets() {
        #expect(
            message(RelabelRule(action: .lowercase, sourceLabels: ["a"], targetLabel: "$1"))
                == "relabel rule 1 (lowercase): target_label \"$1\" is not a valid label name: use letters, digits and "
                + "underscores, not starting with a digit")
        #expect(
            message(RelabelRule(action: .uppercase, sourceLabels: ["a"], targetLabel: "b", replacement: "x"))
                == "relabel rule 1 (uppercase): replacement cannot be set for the uppercase action")
        #expect(
            message(RelabelRule(action: .hashMod, sourceLabels: ["a"], modulus: 2))
                == "relabel rule 1 (hashmod): target_label is required for the hashmod action")
        #expect(
            message(RelabelRule(action: .hashMod, sourceLabels: ["a"], modulus: 2, targetLabel: "a.b"))
                == "relabel rule 1 (hashmod): target_label \"a.b\" is not a valid label name: use letters, digits and "
                + "underscores, not starting with a digit")
    }

    @Test("labelmap's replacement must be a label name template")
    func labelMapReplacement() {
        #expect(
            message(RelabelRule(action: .labelMap, regex: "(.*)", replacement: "x-$1"))
                == "relabel rule 1 (labelmap): replacement \"x-$1\" is not a valid label name template: use letters, "
                + "digits, underscores and $1, ${1}, $name or ${name} references, not starting with a digit")
    }

    @Test("Source label names are checked")
    func sourceLabels() {
        #expect(
            message(RelabelRule(action: .keep, sourceLabels: ["ok", "not-ok"]))
                == "relabel rule 1 (keep): source_labels has \"not-ok\", which is not a valid label name: use letters, "
                + "digits and underscores, not starting with a digit")
    }

    @Test("An invalid regex shows the pattern and what is wrong with it")
    func invalidRegex() {
        #expect(
            message(RelabelRule(action: .drop, sourceLabels: ["a"], regex: "a("))
                == "relabel rule 1 (drop): regex \"a(\" is not valid: missing closing ): `^(?:a()$`")
        #expect(
            message(RelabelRule(action: .drop, sourceLabels: ["a"], regex: "[z-a]"))
                == "relabel rule 1 (drop): regex \"[z-a]\" is not valid: invalid character class range: `z-a`")
        #expect(
            message(RelabelRule(action: .labelDrop, regex: "a**"))
                == "relabel rule 1 (labeldrop): regex \"a**\" is not valid: invalid nested repetition operator: `**`")
        #expect(
            message(RelabelRule(action: .keep, sourceLabels: ["a"], regex: "(a)\\1"))
                == "relabel rule 1 (keep): regex \"(a)\\1\" is not valid: invalid escape sequence: `\\1`")
    }
}

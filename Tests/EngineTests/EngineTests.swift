@testable import Engine
import Values
import XCTest

final class EngineTests: XCTestCase {
    func testTagSelection() {
        XCTAssertTrue(PlaybookRunner.tagsAllow([], only: [], skip: []))
        XCTAssertFalse(PlaybookRunner.tagsAllow(["never"], only: [], skip: []))
        XCTAssertTrue(PlaybookRunner.tagsAllow(["always"], only: ["x"], skip: []))
        XCTAssertFalse(PlaybookRunner.tagsAllow(["a"], only: ["b"], skip: []))
        XCTAssertFalse(PlaybookRunner.tagsAllow(["a"], only: [], skip: ["a"]))
        XCTAssertTrue(PlaybookRunner.tagsAllow([], only: ["untagged"], skip: []))
    }

    func testKeywordValuesConvertAsFieldAttributes() throws {
        func conv(_ v: Value, _ t: FieldType, _ name: String = "k") -> Value? { try? KeywordTypes.converted(name, v, t) }
        // int: decimal.Decimal's text, which must hold a whole number; booleans are ints.
        XCTAssertEqual(conv(" 3 ", .int), .int(3))
        XCTAssertEqual(conv("1e2", .int), .int(100))
        XCTAssertEqual(conv("2.0", .int), .int(2))
        XCTAssertEqual(conv(.float(4), .int), .int(4))
        XCTAssertEqual(conv(true, .int), true)
        XCTAssertNil(conv("1.5", .int))
        XCTAssertNil(conv("0x10", .int))
        XCTAssertNil(conv(.float(.infinity), .int))
        // float and percent: float()'s text, a percent's `%` signs dropped first.
        XCTAssertEqual(conv("0.5", .float), .float(0.5))
        XCTAssertEqual(conv(3, .float), .float(3))
        XCTAssertEqual(conv("30%", .percent), .float(30))
        XCTAssertNil(conv("abc", .percent))
        // bool: strict, stripped and case-blind.
        XCTAssertEqual(conv(" Yes ", .bool), true)
        XCTAssertEqual(conv(0, .bool), false)
        XCTAssertNil(conv("maybe", .bool))
        XCTAssertNil(conv(2, .bool))
        XCTAssertThrowsError(try KeywordTypes.converted("k", "maybe", .bool)) {
            XCTAssertEqual(($0 as? KeywordTypes.Invalid)?.message, "The value 'maybe' could not be converted to 'bool'.")
        }
        // list: a scalar becomes a list of one; typed items are checked.
        XCTAssertEqual(conv("a", .list), ["a"])
        XCTAssertEqual(conv(.none, .list), [])
        XCTAssertEqual(conv([1, "a"], .list, "tags"), [1, "a"])
        XCTAssertThrowsError(try KeywordTypes.converted("tags", [.float(1.5)], .list)) {
            XCTAssertEqual(($0 as? KeywordTypes.Invalid)?.message, "Keyword 'tags' items must be of type 'str' or 'int', not 'float'.")
        }
    }

    func testSerialSizesAsPctToInt() throws {
        XCTAssertEqual(try PlaybookRunner.batchSize("50%", of: 5), 2)
        XCTAssertEqual(try PlaybookRunner.batchSize("1%", of: 5), 1)      // at least one
        XCTAssertEqual(try PlaybookRunner.batchSize("-50%", of: 10), -5)  // not positive: the rest in one batch
        XCTAssertEqual(try PlaybookRunner.batchSize(.float(2.7), of: 5), 2)
        XCTAssertEqual(try PlaybookRunner.batchSize(" 3 ", of: 5), 3)
        XCTAssertThrowsError(try PlaybookRunner.batchSize("50.5%", of: 5)) {
            XCTAssertEqual(($0 as? UnexpectedException)?.message, "invalid literal for int() with base 10: '50.5'")
        }
    }

    func testLazyVariablesAndRecursionIsNamed() throws {
        let t = Templar()
        let scope = VarScope(raw: ["a": "{{ b }}-x", "b": "{{ c | upper }}", "c": "v", "loop1": "{{ loop2 }}", "loop2": "{{ loop1 }}"], templar: t)
        XCTAssertEqual(try scope.lookup("a"), .string("V-x"))
        XCTAssertThrowsError(try scope.lookup("loop1")) { XCTAssertTrue("\($0)".contains("loop1")) }
    }

    func testConditionalsMustBeBoolean() throws {
        let t = Templar()
        let scope = VarScope(raw: ["x": 3, "s": "text"], templar: t)
        XCTAssertEqual(try t.conditional("x > 2", scope).0, true)
        XCTAssertEqual(try t.conditional(["x > 2", "x < 3"], scope).0, false)
        XCTAssertThrowsError(try t.conditional("s", scope))
    }

    func testContainsIsPythonsIn() throws {
        let t = Templar()
        let scope = VarScope(raw: ["s": "Assertion failed", "l": ["a", "bc"]], templar: t)
        XCTAssertEqual(try t.conditional("s is contains('Assertion')", scope).0, true)
        XCTAssertEqual(try t.conditional("s is contains('nope')", scope).0, false)
        XCTAssertEqual(try t.conditional("l is contains('bc')", scope).0, true)
        XCTAssertEqual(try t.conditional("l is contains('b')", scope).0, false)
    }

    func testNativeTypesAndOmit() throws {
        let t = Templar()
        let scope = VarScope(raw: ["n": 2, "omit": .omit], templar: t)
        XCTAssertEqual(try t.template("{{ n + 1 }}", scope), .int(3))
        XCTAssertEqual(try t.template(["a": "{{ omit }}", "b": "x{{ n }}"], scope), ["b": "x2"])
        // Inside an expression omit is a value; finishing the template drops it from containers.
        XCTAssertEqual(try t.template("{{ {'a': [1, omit], 'b': omit} }}", scope), ["a": [1]])
        XCTAssertEqual(try t.template("{{ omit | type_debug }} {{ omit }}", scope), "_OmitType <<Omit>>")
    }

    func testModuleUtilsImportScan() throws {
        let lib = ModuleLibrary(ansibleDir: "/nonexistent")
        let names = lib.scanImports("""
            from ansible.module_utils.basic import AnsibleModule
            from ..module_utils.common.text.converters import (to_bytes,
                to_text)
            import ansible.module_utils.six as six
            import os
            """, package: "ansible.modules")
        XCTAssertTrue(names.contains("ansible.module_utils.basic"))
        XCTAssertTrue(names.contains("ansible.module_utils.common.text.converters.to_text"))
        XCTAssertTrue(names.contains("ansible.module_utils.six"))
        XCTAssertFalse(names.contains("os"))
    }

    func testExtraVars() throws {
        XCTAssertEqual(try ExtraVars.parse(["a=1 b='x'", "{\"c\": [1]}"]), ["a": "1", "b": "x", "c": [1]])
    }

    /// requires_ansible against 2.19.14, each as packaging's SpecifierSet.contains answers.
    func testCollectionVersionSpecifiers() throws {
        let answers: [(String, Bool)] = [(">=2.9.10", true), (">=2.9,<2.11", false), ("<2.10", false), (">= 2.15", true),
                                         (">=2.15.0b1", true), ("~=2.19", true), ("==2.19.*", true), ("!=2.19.14", false),
                                         (">2.19", true), (">=2.19.14", true), ("", true), (" >=2.9 , <3", true),
                                         ("~=2.18.0", false), ("==2.19", false), ("==2.19.14.0", true), (">=2.20.0b1", false)]
        for (spec, contains) in answers { XCTAssertEqual(try Specifiers(spec).contain("2.19.14"), contains, spec) }
        XCTAssertThrowsError(try Specifiers("xyz"))
        XCTAssertThrowsError(try Specifiers("~=2"))
    }
}

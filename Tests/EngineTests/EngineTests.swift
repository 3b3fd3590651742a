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
}

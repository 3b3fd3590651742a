import Values
import XCTest
import YAMLReader

final class LoaderTests: XCTestCase {
    func load(_ s: String) throws -> Value { try YAMLReader.loadValue(s, file: "t.yml") }

    func testQuotedYesStaysAString() throws {
        let v = try load("a: 'yes'\nb: yes\nc: Off\nd: y\n")
        XCTAssertEqual(v["a"], .string("yes"))
        XCTAssertEqual(v["b"], .bool(true))
        XCTAssertEqual(v["c"], .bool(false))
        XCTAssertEqual(v["d"], .string("y"))
    }

    func testYAML11Numbers() throws {
        let v = try load("oct: 0755\nzo: 0o755\ne: 1e3\nf: 1.0e+3\nsexa: 1:30\nhex: 0x1F\nunder: 1_000\neight: 08\n")
        XCTAssertEqual(v["oct"], .int(493))
        XCTAssertEqual(v["zo"], .string("0o755"))
        XCTAssertEqual(v["e"], .string("1e3"))
        XCTAssertEqual(v["f"], .float(1000))
        XCTAssertEqual(v["sexa"], .int(90))
        XCTAssertEqual(v["hex"], .int(31))
        XCTAssertEqual(v["under"], .int(1000))
        XCTAssertEqual(v["eight"], .string("08"))
        let big = try load("d: 123456789012345678901234567890\nneg: -9223372036854775809\nhex: 0x1FFFFFFFFFFFFFFFF\nmin: -9223372036854775808\n")
        XCTAssertEqual(big["d"]?.pythonRepr, "123456789012345678901234567890")
        XCTAssertEqual(big["neg"]?.pythonRepr, "-9223372036854775809")
        XCTAssertEqual(big["hex"]?.pythonRepr, "36893488147419103231")
        XCTAssertEqual(big["min"], .int(.min))
    }

    func testNullForms() throws {
        let v = try load("a: ~\nb: null\nc:\nd: 'null'\n")
        XCTAssertEqual(v["a"], Value.none)
        XCTAssertEqual(v["b"], Value.none)
        XCTAssertEqual(v["c"], Value.none)
        XCTAssertEqual(v["d"], .string("null"))
    }

    func testMergeKeysKeepPyYAMLOrder() throws {
        let v = try load("base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nm:\n  <<: [*b, *o]\n  x: 9\n")
        guard case .dict(let m)? = v["m"] else { return XCTFail() }
        XCTAssertEqual(m.keys.map(\.pythonStr), ["y", "z", "x"])
        XCTAssertEqual(m["x"], .int(9))
        XCTAssertEqual(m["y"], .int(2))
    }

    func testTagsAreKept() throws {
        let v = try load("u: !unsafe '{{ x }}'\nv: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n")
        XCTAssertEqual(v["u"], .unsafe("{{ x }}"))
        if case .vault(let text)? = v["v"] { XCTAssertTrue(text.hasPrefix("$ANSIBLE_VAULT")) } else { XCTFail() }
        let b = try load("b: !!binary |\n  aGVs\n  bG8=\n")
        XCTAssertEqual(b["b"], .bytes(Array("hello".utf8)))
    }

    func testDuplicateKeyWarnsAndLastWins() throws {
        var warnings: [YAMLWarning] = []
        let docs = try YAMLReader.loadAll("dup: 1\ndup: 2\n", file: "t.yml", warnings: &warnings)
        XCTAssertEqual(docs[0].value["dup"], .int(2))
        XCTAssertEqual(warnings.first?.location.line, 2)
    }

    func testNodesCarryLocations() throws {
        let n = try YAMLReader.load("- a: 1\n  b: 2\n", file: "t.yml")
        XCTAssertEqual(n.items?[0]["b"]?.location, SourceLocation(file: "t.yml", line: 2, column: 6))
    }

    func testSyntaxErrorHasFileLineColumn() {
        XCTAssertThrowsError(try load("a: [1, 2\nb: 3\n")) { e in
            let err = e as! YAMLError
            XCTAssertEqual(err.location.file, "t.yml")
            XCTAssertGreaterThan(err.location.line, 0)
        }
    }
}

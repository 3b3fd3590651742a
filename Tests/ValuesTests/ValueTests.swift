import Values
import XCTest

final class ValueTests: XCTestCase {
    func testPythonEqualityAcrossNumbersAndBools() {
        XCTAssertEqual(Value.int(1), .float(1.0))
        XCTAssertEqual(Value.int(1), .bool(true))
        XCTAssertNotEqual(Value.string("1"), .int(1))
    }

    func testReprMatchesPython() {
        let v: Value = ["a": [1, "x", .none, true, 1.5]]
        XCTAssertEqual(v.pythonRepr, "{'a': [1, 'x', None, True, 1.5]}")
        XCTAssertEqual(Value.string("it's").pythonRepr, "\"it's\"")
        XCTAssertEqual(Value.float(1e16).pythonRepr, "1e+16")
    }

    func testJSONKeepsOrderAndFormatsLikePython() throws {
        let v = try Value.parseJSON(#"{"b": 1, "a": [true, null, 2.5, "\u00e9"]}"#)
        XCTAssertEqual(v.json(), #"{"b": 1, "a": [true, null, 2.5, "é"]}"#)
        XCTAssertEqual(v.json(.init(sortKeys: true)), #"{"a": [true, null, 2.5, "é"], "b": 1}"#)
        XCTAssertEqual(Value.dict(["msg": "hi"]).json(.init(indent: 4)), "{\n    \"msg\": \"hi\"\n}")
    }

    func testIntsPast64BitsStayExact() throws {
        let v = try Value.parseJSON(#"[18446744073709551616, -9223372036854775808, 1e3]"#)
        XCTAssertEqual(v.json(), "[18446744073709551616, -9223372036854775808, 1000.0]")
        XCTAssertEqual(v.listValue?[1], .int(.min))
        let big = v.listValue![0]
        XCTAssertEqual(big.typeName, "int")
        XCTAssertEqual(big, .float(18446744073709551616.0))   // Python: 2**64 == 2.0**64
        XCTAssertNotEqual(big, .int(.max))
        XCTAssertEqual(try Value.intArithmetic("-", big, .int(1)), try Value.parseJSON("18446744073709551615"))
        XCTAssertEqual(try Value.intArithmetic("-", big, big), .int(0))   // back to a 64-bit int
        XCTAssertEqual(try Value.intArithmetic("%", .int(-7), big)?.pythonRepr, "18446744073709551609")
        XCTAssertEqual(Value.integer("-zz", radix: 36), .int(-1295))
        XCTAssertEqual(Set([big, .float(18446744073709551616.0)]).count, 1)
    }

    func testMalformedJSONIsAnError() {
        XCTAssertThrowsError(try Value.parseJSON("{\"a\": "))
    }

    func testTruthiness() {
        XCTAssertFalse(Value.string("").truthy)
        XCTAssertFalse(Value.list([]).truthy)
        XCTAssertTrue(Value.int(2).truthy)
        XCTAssertFalse(Value.none.truthy)
    }
}

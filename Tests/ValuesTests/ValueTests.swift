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

    func testBase64DecodesAsBinasciiDoes() throws {
        // base64.decodebytes: bytes outside the alphabet skipped, a full pad group ends the data.
        func decoded(_ s: String) throws -> String { String(decoding: try Base64.pythonDecode(Array(s.utf8)), as: UTF8.self) }
        XCTAssertEqual(try decoded("YW*Jj"), "abc")
        XCTAssertEqual(try decoded("YWJj=YWJj"), "abcabc")
        XCTAssertEqual(try decoded("YQ==YWJj"), "a")
        XCTAssertEqual(try decoded(""), "")
        XCTAssertThrowsError(try decoded("YQ=")) { XCTAssertEqual("\($0)", "Incorrect padding") }
        XCTAssertThrowsError(try decoded("Y")) {
            XCTAssertEqual("\($0)", "Invalid base64-encoded string: number of data characters (1) cannot be 1 more than a multiple of 4")
        }
    }

    func testBytesAsPythonHasThem() {
        let b = Value.bytes([0xFF, 0, 0x27, 0x22, 0x0A, 0x61])
        XCTAssertEqual(b.pythonRepr, #"b'\xff\x00\'"\na'"#)
        XCTAssertEqual(Value.bytes(Array("it's".utf8)).pythonStr, #"b"it's""#)
        XCTAssertEqual(b.typeName, "bytes")
        XCTAssertNotEqual(Value.bytes(Array("a".utf8)), .string("a"))
        XCTAssertEqual(b.pythonBytes, [0xFF, 0, 0x27, 0x22, 0x0A, 0x61])
        XCTAssertEqual(Value.dict(["b": .bytes(Array("é".utf8))]).json(), #"{"b": "é"}"#)
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

    /// Lone surrogates (Python's json "\\udce9", surrogateescape's bytes) survive JSON and
    /// files; Python's encode error names the first run of them.
    func testLoneSurrogatesRoundTrip() throws {
        let v = try Value.parseJSON(#"{"a": "caf\udce9", "b": "\ud83d\ude00", "c": "\ud800x"}"#)
        XCTAssertEqual(v["b"]?.stringValue, "😀")
        XCTAssertEqual(v.json(), #"{"a": "caf\udce9", "b": "😀", "c": "\ud800x"}"#)
        XCTAssertEqual(Surrogates.encodeError(v["a"]!.stringValue!),
                       #"'utf-8' codec can't encode character '\udce9' in position 3: surrogates not allowed"#)
        let (text, escaped) = Surrogates.decoded([0x63, 0xE9, 0xE2, 0x82, 0x41, 0xC3, 0xA9])
        XCTAssertTrue(escaped)
        XCTAssertEqual(Surrogates.encodeError(text), "'utf-8' codec can't encode characters in position 1-3: surrogates not allowed")
        XCTAssertEqual(Surrogates.escapedBytes(text), [0x63, 0xE9, 0xE2, 0x82, 0x41, 0xC3, 0xA9])
        XCTAssertEqual(Surrogates.replaced(in: text), "c???Aé")
        XCTAssertFalse(Surrogates.decoded(Array("plain é".utf8)).escaped)
        // An object is checked as it closes: the inner one first, then the outer's own strings.
        let doc = try Value.parseJSON(#"{"x": "\udc80", "y": {"z": "ok\udc81"}}"#)
        XCTAssertEqual(Surrogates.decodeError(in: doc), #"'utf-8' codec can't encode character '\udc81' in position 2: surrogates not allowed"#)
    }
}

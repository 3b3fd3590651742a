import Jinja
import Values
import XCTest

final class JinjaTests: XCTestCase {
    let env = Environment()

    func render(_ s: String, _ vars: [String: Value] = [:], options: TemplateOptions = TemplateOptions()) throws -> String {
        try Template(s, options: options).render(env, DictSource(vars))
    }

    func testCustomDelimitersNewlinesAndLineStatements() throws {
        var o = TemplateOptions()
        (o.variableStart, o.variableEnd, o.blockStart, o.blockEnd, o.commentStart, o.commentEnd) = ("[[", "]]", "[%", "%]", "[#", "#]")
        XCTAssertEqual(try render("[% for x in xs %][[ x ]],[% endfor %][# gone #] {{ kept }}", ["xs": [1, 2]], options: o), "1,2, {{ kept }}")
        var crlf = TemplateOptions(keepTrailingNewline: true)
        crlf.newlineSequence = "\r\n"
        XCTAssertEqual(try render("a\nb\r\n{{ 'c\nd' }}\n", options: crlf), "a\r\nb\r\nc\r\nd\r\n")
        XCTAssertEqual(try render("a\r\nb"), "a\nb")   // Jinja2 normalizes to its default sequence too
        var lines = TemplateOptions()
        lines.lineStatementPrefix = ":"
        XCTAssertEqual(try render(": if true\nfoo\n  : endif\nbar", options: lines), "foo\nbar")
    }

    func testExpressionsFollowPythonPrecedence() throws {
        XCTAssertEqual(try render("{{ 1 + 2 * 3 ** 2 }}"), "19")
        XCTAssertEqual(try render("{{ 7 // 2 }} {{ 7 % 3 }} {{ 7 / 2 }}"), "3 1 3.5")
        XCTAssertEqual(try render("{{ 'a' ~ 1 ~ none }}"), "a1None")
        XCTAssertEqual(try render("{{ 1 < 2 < 3 }} {{ 'b' in 'abc' }} {{ 3 not in [1, 2] }}"), "True True True")
    }

    func testListsAndDictsRenderLikePython() throws {
        XCTAssertEqual(try render("{{ [1, 'a'] }}"), "[1, 'a']")
        XCTAssertEqual(try render("{{ {'k': [true, none]} }}"), "{'k': [True, None]}")
    }

    func testNativeEvaluationKeepsTypes() throws {
        let t = try Template("{{ [1, 2] | length }}")
        XCTAssertEqual(try t.evaluate(env, DictSource([:])), .int(2))
    }

    func testForLoopWithLoopVariablesAndElse() throws {
        let out = try render("{% for x in xs %}{{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}{% else %}empty{% endfor %}", ["xs": ["a", "b"]])
        XCTAssertEqual(out, "1:a,2:b")
        XCTAssertEqual(try render("{% for x in [] %}x{% else %}empty{% endfor %}"), "empty")
    }

    func testIfElifElse() throws {
        let t = "{% if n > 2 %}big{% elif n > 0 %}small{% else %}none{% endif %}"
        XCTAssertEqual(try render(t, ["n": 3]), "big")
        XCTAssertEqual(try render(t, ["n": 1]), "small")
        XCTAssertEqual(try render(t, ["n": 0]), "none")
    }

    func testFiltersAndChains() throws {
        XCTAssertEqual(try render("{{ 'a' if false else 'x y' | upper | replace('Y', 'z') }}"), "X z")
        XCTAssertEqual(try render("{{ missing | default('d') }}"), "d")
        XCTAssertEqual(try render("{{ [3, 1, 2] | sort | join('-') }}"), "1-2-3")
        XCTAssertEqual(try render("{{ users | map(attribute='n') | list }}", ["users": [["n": "a"], ["n": "b"]]]), "['a', 'b']")
        XCTAssertEqual(try render("{{ [1, 2, 3, 4] | select('even') | list }}"), "[2, 4]")
    }

    func testUndefinedIsAnErrorUnlessTested() throws {
        XCTAssertThrowsError(try render("{{ nope }}")) { XCTAssertEqual(($0 as? UndefinedError)?.message, "'nope' is undefined") }
        XCTAssertEqual(try render("{{ nope is defined }} {{ d.x is undefined }}", ["d": [:]]), "False True")
    }

    func testMarkersStayInContainersAndOperatorsRaise() throws {
        // A filter given a marker gives it back (a container keeps it); an operator raises for good.
        XCTAssertEqual(try render("{{ [nope] | length }} {{ [nope | upper, nope.x] | length }}"), "1 2")
        XCTAssertThrowsError(try render("{{ [nope ~ 'x'] | length }}"))
        XCTAssertThrowsError(try render("{{ (nope ~ 'x') | default('d') }}"))
        XCTAssertEqual(try render("{{ (nope | upper) | default('d') }}"), "d")
        // A `!vault` value that does not decrypt: the same, and its own error where used.
        var sealed = env
        sealed.reveal = { text in
            guard text == "open" else { throw TemplateError("Attempt to use undecryptable variable: no secret") }
            return "plain"
        }
        let vars: [String: Value] = ["s": .vault("sealed"), "o": .vault("open")]
        XCTAssertEqual(try Template("{{ [s] | length }} {{ [s | upper] | length }} {{ o }}").render(sealed, DictSource(vars)), "1 1 plain")
        XCTAssertThrowsError(try Template("{{ s is defined }}").render(sealed, DictSource(vars)))
        XCTAssertThrowsError(try Template("{{ s ~ '' }}").render(sealed, DictSource(vars))) {
            XCTAssertEqual(($0 as? TemplateError)?.undecryptable, "sealed")
        }
        XCTAssertThrowsError(try Template("{{ [s ~ ''] | length }}").render(sealed, DictSource(vars)))
        XCTAssertEqual(try Template("{{ s }}").evaluate(sealed, DictSource(vars)), .vault("sealed"))   // the value is the marker
    }

    func testDeprecatedValuesAreSaidWhereUsedAndKeepTheirTagWhenPassedOn() throws {
        final class Said: @unchecked Sendable { var messages: [String] = [] }
        let said = Said()
        var watching = env
        watching.tagUsed = { said.messages.append($0.info.pythonStr) }
        let old = Deprecation("old"), gone = Deprecation("gone")
        let vars: [String: Value] = ["r": ["name": .deprecated("blue", old), "n": .deprecated(41, gone), "plain": "x"]]
        func evaluate(_ s: String) throws -> Value { try Template(s).evaluate(watching, DictSource(vars)) }
        // Used: said; the value itself in what an expression computes.
        XCTAssertEqual(try evaluate("{{ r.name | upper }} {{ r.n + 1 }}"), "BLUE 42")
        XCTAssertEqual(said.messages, ["old", "gone"])
        // A lone reference and a container's item keep the tag.
        guard case .deprecated(.string("blue"), let tag) = try evaluate("{{ r.name }}") else { return XCTFail("tag lost") }
        XCTAssertTrue(tag === old)
        guard case .list(let items) = try evaluate("{{ [r.name, 1] }}"), case .deprecated = items[0] else { return XCTFail("tag lost") }
        // Not using it says nothing; a filter over the container is given plain data.
        said.messages = []
        XCTAssertEqual(try evaluate("{{ r.plain }} {{ r | length }}"), "x 3")
        XCTAssertEqual(said.messages, [])
        XCTAssertEqual(try evaluate("{{ r | dictsort }}"), .list([.tuple(["n", 41]), .tuple(["name", "blue"]), .tuple(["plain", "x"])]))
        XCTAssertEqual(said.messages, ["old", "gone"])
        // Data sees the value: equality, JSON, str.
        XCTAssertEqual(Value.deprecated("blue", old), "blue")
        XCTAssertEqual(Value.list([.deprecated(41, gone)]).json(), "[41]")
        XCTAssertEqual(Value.deprecated(41, gone).pythonRepr, "41")
    }

    func testStringMethodsIndexByScalars() throws {
        XCTAssertEqual(try render("{{ 'a b'.split() }} {{ ' x '.strip() }} {{ 'abc'[1:] }} {{ 'e\u{301}x' | length }}"), "['a', 'b'] x bc 3")
    }

    func testWhitespaceControlAndTrimBlocks() throws {
        XCTAssertEqual(try render("a\n{% if true %}\nb\n{% endif %}\nc"), "a\nb\nc")
        XCTAssertEqual(try render("a  {{- 'b' -}}  c"), "abc")
        let lstrip = TemplateOptions(trimBlocks: true, lstripBlocks: true)
        XCTAssertEqual(try render("x\n    {% if true %}\ny\n    {% endif %}\n", options: lstrip), "x\ny\n")
    }

    func testSetMacroAndRaw() throws {
        XCTAssertEqual(try render("{% set a = 2 %}{% macro m(x, y=3) %}{{ x * y }}{% endmacro %}{{ m(a) }}"), "6")
        XCTAssertEqual(try render("{% raw %}{{ x }}{% endraw %}"), "{{ x }}")
    }

    func testPercentFormatting() throws {
        XCTAssertEqual(try render("{{ '%s-%03d' % ('a', 7) }}"), "a-007")
    }

    func testDecimalsRoundOnTheDoublesExactValue() throws {
        // 2.675 is stored as 2.67499999…: Python's round and formats give 2.67, not 2.68.
        XCTAssertEqual(ExactDecimal.round(2.675, places: 2), 2.67)
        XCTAssertEqual(ExactDecimal.round(0.5, places: 0), 0)
        XCTAssertEqual(ExactDecimal.round(15, places: -1), 20)
        XCTAssertEqual(ExactDecimal.fixed(-0.001, places: 2), "-0.00")
        XCTAssertEqual(ExactDecimal.fixed(1e20, places: 1), "100000000000000000000.0")
        XCTAssertEqual(ExactDecimal.significant(0.000123456, count: 3).digits, "123")
        XCTAssertEqual(ExactDecimal.significant(0.000123456, count: 3).exponent, -4)
        XCTAssertEqual(ExactDecimal.significant(9.996, count: 3).exponent, 1)
        XCTAssertEqual(try render("{{ '{:>8.2f}|{:,}|{:#06x}|{:.3g}'.format(2.675, 1234567, 255, 0.00012345) }}"),
                       "    2.67|1,234,567|0x00ff|0.000123")
        // An int (a bool, an int past 64 bits) given a float's presentation type is formatted as a float.
        XCTAssertEqual(try render("{{ '{:.2f}|{:e}|{:%}|{:g}|{:.1f}|{:.1f}'.format(5, 3, 1, 10, true, 2**70) }}"),
                       "5.00|3.000000e+00|100.000000%|10|1.0|1180591620717411303424.0")
    }

    func testSyntaxErrorsAreReported() {
        XCTAssertThrowsError(try render("{% if %}"))
        XCTAssertThrowsError(try render("{{ 1 + }}"))
        XCTAssertThrowsError(try render("{% for x in y %}"))
    }

    /// Jinja2's own words for each (measured with jinja2 3.1): literals named by their kind,
    /// brackets balanced by the lexer, commas expected between items.
    func testSyntaxErrorsWordedAsJinja2() {
        let cases = [
            "{{ x | 3 }}": "expected token 'name', got 'integer'",
            "{{ x is 'a' }}": "expected token 'name', got 'string'",
            "{{ x 1.5 }}": "expected token 'end of print statement', got 'float'",
            "{% set = 3 %}": "unexpected '='",
            "{% for 3 in x %}{% endfor %}": "can't assign to 'const'",
            "{% if %}{% endif %}": "Expected an expression, got 'end of statement block'",
            "{{ }}": "Expected an expression, got 'end of print statement'",
            "{{ (1, }}": "unexpected '}', expected ')'",
            "{{ [1, (2] }}": "unexpected ']', expected ')'",
            "{{ [1 2] }}": "expected token ',', got 'integer'",
            "{{ f(a=1 b=2) }}": "expected token ',', got 'b'",
        ]
        for (source, message) in cases {
            XCTAssertThrowsError(try render(source), source) { XCTAssertEqual(($0 as? TemplateError)?.message, message, source) }
        }
        XCTAssertEqual(try render("{{ [1, 2,] }} {{ {'a': 1,} }}"), "[1, 2] {'a': 1}")
    }

    func testParenthesizedLoopTargets() throws {
        XCTAssertEqual(try render("{% for (k, v) in d.items() %}{{ k }}={{ v }};{% endfor %}", ["d": ["a": 1, "b": 2]]), "a=1;b=2;")
    }

    /// Python's ints have no bound: past 64 bits arithmetic stays exact (`hash | int(base=16) % 60`).
    func testIntsPast64Bits() throws {
        XCTAssertEqual(try render("{{ 9223372036854775807 + 1 }} {{ 2 ** 100 }} {{ -(2 ** 63) - 1 }}"),
                       "9223372036854775808 1267650600228229401496703205376 -9223372036854775809")
        XCTAssertEqual(try render("{{ 'ffffffffffffffffffffffffffffffff' | int(base=16) % 60 }} {{ 'zzzzzzzzzzzzzz' | int(base=36) }}"),
                       "15 6140942214464815497215")
        XCTAssertEqual(try render("{{ 18446744073709551616 // 3 }} {{ -18446744073709551616 % 7 }} {{ 2 ** 64 / 2 }} {{ 2 ** 64 > 2 ** 63 }}"),
                       "6148914691236517205 5 9.223372036854776e+18 True")
        XCTAssertEqual(try render("{{ (2 ** 64) | type_debug if false else (2 ** 64) is integer }} {{ -9223372036854775808 | abs }} {{ 1e20 | int }}"),
                       "True 9223372036854775808 100000000000000000000")
        XCTAssertEqual(try render("{{ '{:,}|{:x}|{:>24}'.format(2 ** 64, 2 ** 64, 2 ** 64) }} {{ '%d' % 2 ** 64 }}"),
                       "18,446,744,073,709,551,616|10000000000000000|    18446744073709551616 18446744073709551616")
    }

    func testFilesizeformat() throws {
        XCTAssertEqual(try render("{{ [1, 999, 1000, 1500000, '2048', 10 ** 30] | map('filesizeformat') | list }}"),
                       "['1 Byte', '999 Bytes', '1.0 kB', '1.5 MB', '2.0 kB', '1000000.0 YB']")
        XCTAssertEqual(try render("{{ 1024 | filesizeformat(true) }} {{ 1073741824 | filesizeformat(binary=true) }}"), "1.0 KiB 1.0 GiB")
    }
}

@testable import Inventory
import Values
import XCTest

final class InventoryTests: XCTestCase {
    func makeINI(_ text: String) throws -> Inventory {
        let path = "/tmp/swansible-inv-test-\(UInt32.random(in: 0...UInt32.max)).ini"
        try Files.write(path, Array(text.utf8))
        addTeardownBlock { Files.remove(path) }
        return try Inventory(sources: [path])
    }

    func testINIGroupsChildrenVarsAndRanges() throws {
        let inv = try makeINI("""
            lonely
            [web]
            web[01:03] http_port=8080 on=True
            [db]
            db-[a:b]
            [prod:children]
            web
            db
            [prod:vars]
            env=production
            """)
        XCTAssertEqual(inv.data.hostsOf(group: "web"), ["web01", "web02", "web03"])
        XCTAssertEqual(inv.data.hostsOf(group: "db"), ["db-a", "db-b"])
        XCTAssertEqual(inv.data.groups["ungrouped"]?.hosts, ["lonely"])
        let v = try inv.vars(for: "web02")
        XCTAssertEqual(v["http_port"], .int(8080))
        XCTAssertEqual(v["on"], .bool(true))
        XCTAssertEqual(v["env"], .string("production"))
    }

    func testPatterns() throws {
        let inv = try makeINI("[web]\nw1\nw2\nw3\n[db]\nd1\nw1\n")
        XCTAssertEqual(try inv.hosts(matching: "web:db"), ["w1", "w2", "w3", "d1"])
        XCTAssertEqual(try inv.hosts(matching: "web:&db"), ["w1"])
        XCTAssertEqual(try inv.hosts(matching: "web:!db"), ["w2", "w3"])
        XCTAssertEqual(try inv.hosts(matching: "w*"), ["w1", "w2", "w3"])
        XCTAssertEqual(try inv.hosts(matching: "~w[12]"), ["w1", "w2"])
        XCTAssertEqual(try inv.hosts(matching: "web[0]"), ["w1"])
        XCTAssertEqual(try inv.hosts(matching: "web[1:2]"), ["w2", "w3"])
        XCTAssertEqual(try inv.hosts(matching: "localhost"), ["localhost"])
        XCTAssertFalse(inv.hostNames.contains("localhost"))
    }

    func testHostRangesExpandAsAnsible() throws {
        // expand_hostname_range: ascii_letters order, Python's range (an empty one for begin > end),
        // zero-filled widths; Ansible's own refusals apart from what Python itself raises.
        XCTAssertEqual(try HostRange.expand("h[x:B]"), ["hx", "hy", "hz", "hA", "hB"])
        XCTAssertEqual(try HostRange.expand("h[0:6:3]-[a:b]"), ["h0-a", "h0-b", "h3-a", "h3-b", "h6-a", "h6-b"])
        XCTAssertEqual(try HostRange.expand("h[08:10]"), ["h08", "h09", "h10"])
        XCTAssertEqual(try HostRange.expand("h[5:2]"), [])
        // Steps near Int's bounds end the range where Python's would, rather than overflow.
        XCTAssertEqual(try HostRange.expand("h[0:9223372036854775807:4611686018427387904]"),
                       ["h0", "h4611686018427387904"])
        XCTAssertEqual(try HostRange.expand("h[3:1:-1]"), ["h3"])   // range(3, 2, -1), Ansible's end + 1
        XCTAssertEqual(try HostRange.expand("h[1:3:-1]"), [])
        XCTAssertThrowsError(try HostRange.expand("h[1:]")) { XCTAssertEqual("\($0)", "host range must specify end value") }
        XCTAssertThrowsError(try HostRange.expand("h[01:100]")) {
            XCTAssertEqual("\($0)", "host range must specify equal-length begin and end formats")
        }
        XCTAssertThrowsError(try HostRange.expand("local[1:j]")) {
            XCTAssertEqual("\($0)", "invalid literal for int() with base 10: 'j'")
            XCTAssertTrue($0 is HostRange.PythonError)
        }
        XCTAssertThrowsError(try HostRange.expand("[g")) { XCTAssertEqual("\($0)", "not enough values to unpack (expected 3, got 2)") }
    }

    func testBadSourceIsLeftOutWithTheLine() throws {
        // As Ansible: the source is warned about (with why) and the run goes on without it.
        let inv = try makeINI("[web:bogus]\nh\n")
        XCTAssertEqual(inv.unparsed.count, 1)
        XCTAssertEqual(inv.unparsed.first?.failures.map(\.plugin), ["ini"])
        XCTAssertEqual(inv.unparsed.first?.failures.first?.parts.first?.message,
                       "Failed to parse inventory: Section [web:bogus] has unknown type: bogus")
        XCTAssertEqual(try Inventory(sources: ["/nonexistent/inventory"]).unparsed.first?.failures.count, 0)
    }

    func testShlexAndLiteralParsing() throws {
        XCTAssertEqual(try Shlex.split("h a='x y' b=\"1\" # c"), ["h", "a=x y", "b=1"])
        XCTAssertEqual(Literal.parse("[1, 'a']"), .list([1, "a"]))
        XCTAssertEqual(Literal.parse("hello world"), .string("hello world"))
    }
}

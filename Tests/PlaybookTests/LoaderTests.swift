@testable import Playbook
import Values
import XCTest

final class PlaybookLoaderTests: XCTestCase {
    func load(_ yaml: String) throws -> PlaybookFile {
        var l = PlaybookLoader()
        return try l.loadText(yaml, path: "/tmp/pb.yml")
    }

    func testThreeArgumentForms() throws {
        let pb = try load("""
            - hosts: all
              tasks:
                - copy: src=a dest=/b mode=0644
                - ansible.builtin.command: echo hi chdir=/tmp
                - file:
                    path: /x
                  args:
                    state: directory
            """)
        let t = pb.plays[0].tasks
        XCTAssertEqual(t[0].args["dest"], .string("/b"))
        XCTAssertEqual(t[1].args["_raw_params"], .string("echo hi"))
        XCTAssertEqual(t[1].args["chdir"], .string("/tmp"))
        XCTAssertEqual(t[1].shortAction, "command")
        XCTAssertEqual(t[2].args["state"], .string("directory"))
    }

    func testKeyValueArgumentsDecodeEscapes() throws {
        let pb = try load(#"""
            - hosts: all
              tasks:
                - debug: msg="say \"hi\"\tthere \x41\u00e9"
                - command: echo \"raw\" chdir=/tmp
            """#)
        let t = pb.plays[0].tasks
        XCTAssertEqual(t[0].args["msg"], .string("say \"hi\"\tthere Aé"))
        XCTAssertEqual(t[1].args["_raw_params"], .string(#"echo \"raw\""#))
    }

    /// ansible-core's split_args/parse_kv, cases taken from its own behaviour.
    func testFreeFormSplitsAsAnsible() throws {
        // A key may be a template; the first unescaped `=` after the first character splits.
        XCTAssertEqual(try FreeForm.parse("{{ item }}=moo", action: "set_fact"), ["{{ item }}": "moo"])
        XCTAssertEqual(try FreeForm.parse("{{fact_name}}='{{param}}'", action: "set_fact"), ["{{fact_name}}": "{{param}}"])
        XCTAssertEqual(try FreeForm.parse("a\\=b", action: "debug"), ["_raw_params": "a=b"])
        // Newlines stay, a trailing backslash joins lines, quotes keep their spaces and newlines.
        XCTAssertEqual(try FreeForm.split("echo a \\\n\"b\nc\" | cat\necho d\n"), ["echo", "a", "\"b\nc\"", "|", "cat\n", "echo", "d\n"])
        XCTAssertEqual(FreeForm.join(try FreeForm.split("echo a \\\n\"b\nc\" | cat\necho d\n")), "echo a \"b\nc\" | cat\necho d\n")
        XCTAssertEqual(try FreeForm.split("msg={{ a  b }} x"), ["msg={{ a  b }}", "x"])
        // An open quote or block is refused, as split_args raises.
        XCTAssertThrowsError(try FreeForm.split("msg=\"open"))
        XCTAssertThrowsError(try FreeForm.split("msg={{ open"))
    }

    func testUnknownPlayKeywordHasLocation() {
        XCTAssertThrowsError(try load("- hosts: all\n  taskz: []\n")) { e in
            let err = e as! PlaybookError
            XCTAssertEqual(err.message, "'taskz' is not a valid attribute for a Play")
            XCTAssertEqual(err.location?.line, 2)
        }
    }

    func testTwoActionsConflict() {
        XCTAssertThrowsError(try load("- hosts: all\n  tasks:\n    - debug: msg=x\n      whenn: true\n")) { e in
            XCTAssertEqual((e as! PlaybookError).message, "conflicting action statements: debug, whenn")
        }
    }

    func testTagsAreInheritedFromThePlay() throws {
        let pb = try load("- hosts: all\n  tags: [p]\n  tasks:\n    - debug: msg=x\n      tags: t\n")
        XCTAssertEqual(pb.plays[0].tasks[0].tags, ["p", "t"])
    }
}

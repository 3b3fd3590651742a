@testable import Remote
import Values
import XCTest

final class FrameTests: XCTestCase {
    func testRoundTripHeader() throws {
        let bytes = Frame.request(handle: 7, body: ["method": "ping"])
        let h = try XCTUnwrap(try Frame.parseHeader(bytes[...]))
        XCTAssertEqual(h.handle, 7)
        XCTAssertEqual(Int(h.length), bytes.count - Frame.headerSize)
    }

    func testOversizedFrameIsRefusedBeforeAllocation() {
        var header = Frame.encode(Frame.Header(handle: 1), body: [])
        header[20] = 0x7f  // length ≈ 2 GiB
        XCTAssertThrowsError(try Frame.parseHeader(header[...]))
    }

    func testUnframedOutputIsAProtocolError() {
        XCTAssertThrowsError(try Frame.parseHeader(Array("Traceback (most recent call last):".utf8)[...]))
    }

    func testLocalAgentAnswersOverTheBroker() async throws {
        let ctx = try await ContextService.shared.get(.local(interpreter: "/usr/bin/python3"))
        XCTAssertEqual(ctx.info["python"]?.stringValue?.hasPrefix("/usr/bin/python3"), true)
        let again = try await ContextService.shared.get(.local(interpreter: "/usr/bin/python3"))
        XCTAssertTrue(ctx === again)
        let r = try await ctx.call("nonexistent")
        XCTAssertEqual(r["failed"], .bool(true))
        await ContextService.shared.shutdownAll()
    }

    /// Ansible fails the task (the host stays reachable), with the shell's own words.
    func testMissingInterpreterIsNamed() async {
        do {
            _ = try await ContextService.shared.get(.local(interpreter: "/nonexistent/python"))
            XCTFail("expected an error")
        } catch let e as RemoteError {
            guard case .interpreterNotFound(let i, let output) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(i, "/nonexistent/python")
            XCTAssertEqual(output, "/bin/sh: 1: /nonexistent/python: not found\n")
            XCTAssertEqual(e.description, "The module interpreter '/nonexistent/python' was not found.")
        } catch { XCTFail("\(error)") }
    }

    func testRawRunsWithoutAnAgent() async throws {
        let (rc, out, _) = try await ContextService.shared.runRaw(.local(interpreter: nil), "echo hi; exit 3")
        XCTAssertEqual(rc, 3)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "hi\n")
    }
}

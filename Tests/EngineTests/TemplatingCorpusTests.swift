// Replays the templating corpus (Corpus/cases.json, made by Corpus/generate.py from ansible-core's
// own Templar): every case must render byte-identically or fail with the same kind of error.
@testable import Engine
import Jinja
import Values
import XCTest

final class TemplatingCorpusTests: XCTestCase {
    static let corpus = Files.dirname(#filePath) + "/Corpus"

    func load(_ name: String) throws -> Value {
        try Value.parseJSON(try Files.read(Files.join(Self.corpus, name)))
    }

    /// Renders one case as the engine would: file cases as the template module, others as data.
    static func render(_ c: Value, vars: [String: Value], templar: Templar) -> String {
        let scope = VarScope(raw: vars, templar: templar)
        scope.playbookDir = corpus
        do {
            let source = c["template"]!.pythonStr
            if c["file"] != nil {
                let o = c["options"]?.dictValue ?? Dict()
                let options = TemplateOptions(trimBlocks: o["trim_blocks"]?.truthy ?? true, lstripBlocks: o["lstrip_blocks"]?.truthy ?? false)
                return Value.string(try templar.render(source, scope, options: options, searchDirs: [corpus + "/files", corpus])).json(.init(ensureASCII: true))
            }
            return try templar.template(.string(source), scope).json(.init(ensureASCII: true))
        } catch let e as AnsibleError {
            switch e.kind {
            case .undefined: return "error:undefined"
            case .syntax: return "error:syntax"
            case .other, .untrusted: return "error:other"
            }
        } catch {
            return "error:other"
        }
    }

    func testEveryCaseMatchesAnsible() throws {
        setenv("SWANSIBLE_CORPUS_ENV", "from-env", 1)
        // ansible-core's own lookups (ini, csvfile, config) run in the helper agent, as in a run.
        let library = try XCTUnwrap(ModuleLibrary.locate(collectionsPaths: []), "no ansible-core installation found")
        PythonPlugins.shared.configure(library: library)
        var vars: [String: Value] = [:]
        for (k, v) in try load("vars.json").dictValue ?? Dict() { vars[k.pythonStr] = v }
        let cases = try load("cases.json").listValue ?? []
        XCTAssertGreaterThan(cases.count, 2000)
        let templar = Templar()
        var failures: [String] = []
        for c in cases {
            let expected = c["json"]?.stringValue ?? "error:" + (c["error"]?.pythonStr ?? "?")
            let got = Self.render(c, vars: vars, templar: templar)
            if got != expected {
                failures.append("#\(c["id"]!.pythonStr) \(c["template"]!.pythonRepr.prefix(200))\n   expected \(expected.prefix(300))\n   got      \(got.prefix(300))")
            }
        }
        if !failures.isEmpty {
            let path = "/tmp/swansible-corpus-failures.txt"
            try? Files.write(path, Array(failures.joined(separator: "\n").utf8))
            XCTFail("\(failures.count) of \(cases.count) corpus cases differ from ansible-core (all listed in \(path)); first:\n" + failures.prefix(15).joined(separator: "\n"))
        }
    }
}
#if canImport(Glibc)
import Glibc
#endif

// Python's textwrap.wrap as Jinja's wordwrap filter calls it (no tab expansion, whitespace kept
// as written, leading and trailing whitespace of each line dropped): the same chunks, the same
// breaks, so a wrapped text reads as it does in Ansible.
enum TextWrap {
    typealias Text = [Unicode.Scalar]

    static func wrap(_ text: String, width: Int, breakLongWords: Bool, breakOnHyphens: Bool) -> [String] {
        let chars = Array(text.unicodeScalars)
        var chunks = Array((breakOnHyphens ? hyphenatedChunks(chars) : simpleChunks(chars)).reversed())
        var lines: [String] = []
        while !chunks.isEmpty {
            var line: [Text] = []
            var length = 0
            if isBlank(chunks[chunks.count - 1]), !lines.isEmpty { chunks.removeLast() }
            while let next = chunks.last, length + next.count <= width {
                line.append(chunks.removeLast())
                length += next.count
            }
            if let next = chunks.last, next.count > width {
                // _handle_long_word
                let room = width < 1 ? 1 : width - length
                if breakLongWords {
                    var end = room
                    if breakOnHyphens, next.count > room,
                       let hyphen = next[..<room].lastIndex(of: "-"), hyphen > 0, next[..<hyphen].contains(where: { $0 != "-" }) {
                        end = hyphen + 1
                    }
                    line.append(Array(next[..<end]))
                    chunks[chunks.count - 1] = Array(next[end...])
                } else if line.isEmpty {
                    line.append(chunks.removeLast())
                }
            }
            if let last = line.last, isBlank(last) { line.removeLast() }
            if !line.isEmpty {
                var s = String.UnicodeScalarView()
                for c in line { s.append(contentsOf: c) }
                lines.append(String(s))
            }
        }
        return lines
    }

    /// textwrap's whitespace: `\t\n\v\f\r` and space.
    static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || (c.value >= 9 && c.value <= 13) }
    static func isBlank(_ chunk: Text) -> Bool { chunk.allSatisfy { $0.properties.isWhitespace } }

    /// `\w` of Python's re on str, and textwrap's letter (`[^\d\W]`) and word_punct.
    static func isWord(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil }
    static func isLetter(_ c: Unicode.Scalar) -> Bool { isWord(c) && c.properties.numericType != .decimal }
    static func isWordPunct(_ c: Unicode.Scalar) -> Bool { isWord(c) || "!\"'&.,?".unicodeScalars.contains(c) }

    /// wordsep_simple_re: runs of whitespace and runs of the rest.
    static func simpleChunks(_ t: Text) -> [Text] {
        var out: [Text] = []
        var i = 0
        while i < t.count {
            let space = isSpace(t[i])
            var j = i
            while j < t.count, isSpace(t[j]) == space { j += 1 }
            out.append(Array(t[i..<j]))
            i = j
        }
        return out
    }

    /// wordsep_re: whitespace, an em-dash between words, or a word possibly ending after one of
    /// its hyphens.
    static func hyphenatedChunks(_ t: Text) -> [Text] {
        func at(_ k: Int, _ test: (Unicode.Scalar) -> Bool) -> Bool { k >= 0 && k < t.count && test(t[k]) }
        /// `-{2,}\w` from k.
        func emDash(_ k: Int) -> Bool {
            var j = k
            while j < t.count, t[j] == "-" { j += 1 }
            return j - k >= 2 && at(j, isWord)
        }
        var out: [Text] = []
        var i = 0
        while i < t.count {
            if isSpace(t[i]) {
                var j = i
                while j < t.count, isSpace(t[j]) { j += 1 }
                out.append(Array(t[i..<j]))
                i = j
                continue
            }
            if at(i - 1, isWordPunct), emDash(i) {
                var j = i
                while t[j] == "-" { j += 1 }
                out.append(Array(t[i..<j]))
                i = j
                continue
            }
            // The shortest run of non-space that ends the word, one of its hyphens, or before an em-dash.
            var end = i + 1
            while true {
                if end < t.count, t[end] == "-",
                   (at(end - 2, isLetter) && at(end - 1, isLetter)) || (at(end - 3, isLetter) && at(end - 2, { $0 == "-" }) && at(end - 1, isLetter)),
                   at(end + 1, isLetter), at(end + 2, isLetter) || (at(end + 2, { $0 == "-" }) && at(end + 3, isLetter)) {
                    end += 1
                    break
                }
                if end == t.count || isSpace(t[end]) { break }
                if at(end - 1, isWordPunct), emDash(end) { break }
                end += 1
            }
            out.append(Array(t[i..<end]))
            i = end
        }
        return out
    }
}

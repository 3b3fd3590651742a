// Rendering a template file outside a play, as the template module would render it on a host
// with the given variables: the engine behind `swansible-render`.
import Jinja
import Values

public enum TemplateRenderer {
    public static func render(file path: String, vars: Dict, trimBlocks: Bool = true, lstripBlocks: Bool = false) throws -> String {
        let templar = Templar()
        var raw: [String: Value] = [:]
        for (k, v) in vars { raw[k.pythonStr] = v }
        let scope = VarScope(raw: raw, templar: templar)
        scope.playbookDir = Files.dirname(Files.absolute(path))
        let options = TemplateOptions(trimBlocks: trimBlocks, lstripBlocks: lstripBlocks)
        return try templar.render(try Files.read(path), scope, options: options, searchDirs: [scope.playbookDir])
    }
}

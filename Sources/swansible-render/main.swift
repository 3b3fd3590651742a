// `swansible-render TEMPLATE -e @vars.yml`: renders a Jinja2 template with Ansible's filters,
// tests and lookups, as the template module would, and prints it (or writes it with -o).
import ArgumentParser
import Engine
import Values

@main
struct SwansibleRender: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "swansible-render",
                                                    abstract: "Render a template as Ansible's template module would.")

    @Argument(help: "The template file.") var template: String
    @Option(name: [.short, .customLong("extra-vars")], help: "Variables: key=value, YAML/JSON, or @file.") var extraVars: [String] = []
    @Option(name: .short, help: "Write the result to this file instead of stdout.") var output: String?
    @Flag(name: .customLong("lstrip-blocks"), help: "Strip spaces before block tags, as lstrip_blocks does.") var lstripBlocks = false
    @Flag(name: .customLong("no-trim-blocks"), help: "Keep the newline after block tags.") var noTrimBlocks = false

    func run() throws {
        do {
            let vars = try ExtraVars.parse(extraVars)
            let text = try TemplateRenderer.render(file: template, vars: vars, trimBlocks: !noTrimBlocks, lstripBlocks: lstripBlocks)
            if let output { try Files.write(output, Array(text.utf8)) } else { Output.write(text) }
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
    }
}

import Playbook
import Values

extension PlaybookLoader {
    /// A loader that finds what the run finds: collections' roles and actions, action plugins,
    /// each role's plugin dirs, and static names templated with the load-time vars. Playbooks,
    /// ad-hoc plays and include_* while running all load through one of these.
    public init(settings: Settings, library: ModuleLibrary, extraVars: Dict) {
        self.init(rolesPath: settings.rolesPath)
        roleLoaded = { [settings] dir in
            PythonPlugins.shared.addBase(dir)
            VarsPlugins.roleLoaded(dir, settings)
        }
        resolveInCollections = { [library] in library.resolveInCollections($0, $1) }
        collectionRoots = library.allCollectionRoots
        actionPluginPaths = settings.actionPluginPaths
        invalidAttributeFails = settings.value(env: "ANSIBLE_INVALID_TASK_ATTRIBUTE_FAILED", key: "invalid_task_attribute_failed").map(Settings.truthy) ?? true
        warn = { Output.warning($0) }
        renderName = { text, vars in try Templar.renderStatic(text, vars: vars, extraVars: extraVars) }
    }
}

# swansible's helper agent: the controller's own agent (Remote/LocalHelper.swift) is agent.py
# with this file run before it, so targets never receive it. It serves what runs in ansible-core
# on the controller: users' filter, test and lookup plugins, Python action and inventory plugins,
# role argument specs, ssh-agent keys. Its functions use agent.py's imports and helpers (with_
# warnings, ask, ...), which exist by the time a request calls them; agent.py adds
# HELPER_METHODS to the methods it serves.

# The helper agent on the controller runs users' Python filter, test and lookup plugins through
# ansible-core's own plugin loader (plugin dirs next to playbooks and in roles, configured paths,
# collections), so they find what they import and are resolved by the names Ansible resolves.
PLUGIN_DIRS = set()
PLUGIN_CACHE = {}   # (kind, name) -> plugin object, or None when there is none
PLUGIN_WARNINGS = []   # what ansible-core's Display warned about while loading or running plugins
PLUGIN_DEPRECATIONS = []   # and its deprecations, worded (the controller decides whether to show them)


def capture_warnings():
    """Display's warnings and deprecations (a plugin file that does not load, a plugin's own
    display.warning, an entry point a vars plugin still relies on) go back with the reply, for the
    controller to show as Ansible would."""
    try:
        from ansible.utils.display import Display
        from ansible._internal import _display_utils
    except ImportError:
        return

    def worded(summary):
        text = _display_utils.format_message(summary, False)
        return text[:-1] if text.endswith('\n') else text   # the display ends the line
    Display._warning = lambda self, warning: PLUGIN_WARNINGS.append(worded(warning))
    Display._deprecated = lambda self, warning: PLUGIN_DEPRECATIONS.append(worded(warning))


def with_warnings(reply):
    for key, said in (('warnings', PLUGIN_WARNINGS), ('deprecations', PLUGIN_DEPRECATIONS)):
        if said:
            reply[key] = said[:]
            del said[:]
    return reply


def plugin_loader(kind, dirs=(), collections=None):
    from ansible.plugins import loader
    if not PLUGIN_DIRS:
        capture_warnings()
        loader.init_plugin_loader(collections or None)
        PLUGIN_DIRS.add(None)
    for d in dirs:
        if d not in PLUGIN_DIRS:
            loader.add_all_plugin_dirs(d)
            PLUGIN_DIRS.add(d)
            PLUGIN_CACHE.clear()   # a new dir may now hold a name that was missing
    return {'filter': loader.filter_loader, 'test': loader.test_loader, 'lookup': loader.lookup_loader, 'action': loader.action_loader,
            'inventory': loader.inventory_loader, 'vars': loader.vars_loader, 'become': loader.become_loader}[kind]


def plugin_get(kind, name, dirs=(), collections=None):
    key = (kind, name)
    if key not in PLUGIN_CACHE:
        found = None
        try:
            loader = plugin_loader(kind, dirs, collections)
            found = loader.find_plugin(name) if kind == 'lookup' else loader.get(name)
        except Exception:
            found = None
        PLUGIN_CACHE[key] = found
    return PLUGIN_CACHE[key]


def plugin_user_names(msg):
    """The short names the user's own filter and test plugins give (not ansible-core's, not a
    collection's): Jinja2Loader puts them before ansible-core's of the same name."""
    names = {}
    for kind in ('filter', 'test'):
        try:
            loader = plugin_loader(kind, msg.get('dirs') or (), msg.get('collections_paths'))
            loader._ensure_non_collection_wrappers()
            wrappers = loader._cached_non_collection_wrappers
            names[kind] = sorted(n for n, w in wrappers.items() if '.' not in n and '.' not in (getattr(w, 'ansible_name', None) or '.'))
        except Exception:   # an ansible-core whose loader is built otherwise: no shadowing
            names[kind] = []
    return with_warnings(names)


def plugin_find(msg):
    found = plugin_get(msg['kind'], msg['name'], msg.get('dirs') or (), msg.get('collections'))
    if found is None:
        return with_warnings({'found': False})
    name = msg['name'] if msg['kind'] == 'lookup' else getattr(found, 'ansible_name', None) or msg['name']
    return with_warnings({'found': True, 'name': name})


BYTES_KEY = '__swansible_bytes__'   # bytes (YAML's !!binary) as the engine sends them, base64


def with_markers(o):
    """The engine's undefined markers as ansible-core's own, for plugins that accept them, and
    its bytes as bytes."""
    if isinstance(o, dict):
        if len(o) == 1 and UNDEFINED_KEY in o:
            from ansible._internal._templating._jinja_common import UndefinedMarker
            return UndefinedMarker(hint=o[UNDEFINED_KEY], _no_template_source=True)
        if len(o) == 1 and BYTES_KEY in o:
            return base64.b64decode(o[BYTES_KEY])
        return dict((k, with_markers(v)) for k, v in o.items())
    if isinstance(o, list):
        return [with_markers(v) for v in o]
    return o


def bytes_out(o):
    """Bytes in a plugin's value as the engine reads them back (JSON has no type for them)."""
    if isinstance(o, bytes):
        return {BYTES_KEY: base64.b64encode(o).decode()}
    if isinstance(o, dict):
        return dict((k, bytes_out(v)) for k, v in o.items())
    if isinstance(o, (list, tuple)):
        return [bytes_out(v) for v in o]
    return o


def plugin_data_loader(msg):
    """A DataLoader at the playbook's directory with the run's vault secrets (a plugin reading a
    vaulted file opens it)."""
    from ansible.parsing.dataloader import DataLoader
    data_loader = DataLoader()
    data_loader.set_basedir(msg.get('basedir') or os.getcwd())
    if msg.get('vault_secrets'):
        from ansible.parsing.vault import VaultSecret
        data_loader.set_vault_secrets([(i, VaultSecret(base64.b64decode(b))) for i, b in msg['vault_secrets']])
    return data_loader


def plugin_call(msg):
    kind, name = msg['kind'], msg['name']
    try:
        if kind == 'lookup':
            from ansible.plugins.loader import lookup_loader
            from ansible.template import Templar
            plugin_loader('lookup')
            data_loader = plugin_data_loader(msg)
            variables = msg.get('variables') or {}
            templar = Templar(loader=data_loader, variables=variables)
            lookup = lookup_loader.get(name, loader=data_loader, templar=templar)
            if lookup is None:
                return {'error': "The lookup plugin '%s' was not found." % name, 'missing': True}
            terms, kwargs = msg['terms'], msg.get('kwargs', {})
            # As 2.19: a plugin that does not accept markers returns the first one among its arguments.
            for v in terms + list(kwargs.values()):
                if isinstance(v, dict) and UNDEFINED_KEY in v and len(v) == 1 and not getattr(lookup, 'accept_args_markers', False):
                    return {'value': v}
            try:
                value = lookup.run(with_markers(terms), variables=variables, **with_markers(kwargs))
            except Exception as e:
                if hasattr(getattr(e, 'source', None), '_undefined_message'):   # a marker the plugin used
                    return {'value': {UNDEFINED_KEY: e.source._undefined_message}}
                raise
        else:
            found = plugin_get(kind, name)
            if found is None:
                return {'error': 'No %s named %r.' % (kind, name), 'missing': True}
            fn = getattr(found, 'j2_function', found)
            value = fn(with_markers(msg['value']), *with_markers(msg.get('args', [])), **with_markers(msg.get('kwargs', {})))
            if kind == 'test':
                value = bool(value)
    except Exception as e:
        return with_warnings({'error': exception_message(e), 'type': type(e).__name__})
    return with_warnings({'value': bytes_out(value)})


def inventory_parse(msg):
    """An inventory plugin written in Python (a collection's, one in inventory_plugins/) reads a
    source as InventoryManager.parse_source has it read: over the inventory the earlier sources
    made, with the values it sets trusted as the plugin declares. `auto`: the plugin a YAML file
    names, as the auto plugin loads it. The inventory comes back whole, as legacy JSON."""
    from ansible.inventory.data import InventoryData
    name, source, auto = msg['plugin'], msg['source'], msg.get('auto')
    data_loader = plugin_data_loader(msg)
    try:
        plugin = plugin_loader('inventory', msg.get('dirs') or (), msg.get('collections_paths')).get(name)
    except Exception:
        plugin = None
    if auto and plugin is None:
        return inventory_failure(msg, "inventory config '%s' specifies unknown plugin '%s'" % (source, name))
    if plugin is None:
        return with_warnings({'declined': True, 'missing': True})
    try:
        wants = bool(plugin.verify_file(source))
    except Exception:
        wants = False
    if not wants:
        if auto:
            return inventory_failure(msg, "inventory source '%s' could not be verified by inventory plugin '%s'" % (source, name))
        return with_warnings({'declined': True})
    set_extra_vars(msg.get('extra_vars'))
    inventory = InventoryData()
    del PLUGIN_WARNINGS[:]
    inventory_rebuild(inventory, msg.get('inventory') or {})
    del PLUGIN_WARNINGS[:]   # what rebuilding it said was said when it was first read
    inventory.current_source = source
    origin_text = '<inventory plugin %r with source %r>' % ('auto' if auto else getattr(plugin, '_load_name', name), str(source))
    target = inventory
    try:
        from ansible.inventory.manager import _InventoryDataWrapper
        from ansible._internal._datatag import _tags
        target = _InventoryDataWrapper(inventory, target_plugin=plugin, origin=_tags.Origin(description=origin_text))
        if msg.get('trust') is not None:
            # The wrapper's trust decision is cached on the inventory it wraps (its __dict__ is the
            # inventory's), so the first plugin that set a variable decided it for the run.
            from ansible._internal import _json
            inventory.__dict__['_inspector'] = _json.AnsibleVariableVisitor(
                trusted_as_template=msg['trust'], origin=_tags.Origin(description=origin_text),
                encrypted_string_behavior=_json.EncryptedStringBehavior.PRESERVE)
    except ImportError:   # before 2.19: no trust to apply
        pass
    load_name = getattr(plugin, '_load_name', name)
    try:
        plugin.parse(target, data_loader, source, cache=msg.get('cache', True))
        try:
            plugin.update_cache_if_changed()
        except AttributeError:
            pass
    except Exception as e:
        reply = inventory_failure(msg, e, origin_text)
        reply['load_name'] = load_name
        return reply
    inspector = inventory.__dict__.get('_inspector')
    return with_warnings({'load_name': load_name, 'inventory': inventory_dump(inventory),
                          'trust': getattr(inspector, 'trusted_as_template', None)})


def set_extra_vars(extra_vars):
    """The run's extra vars where load_extra_vars finds them (a plugin's use_extra_vars)."""
    from ansible import context
    from ansible.module_utils.common.collections import ImmutableDict
    context.CLIARGS = ImmutableDict(extra_vars=(json.dumps(extra_vars),) if extra_vars else ())


def inventory_failure(msg, error, origin_text=None):
    """Why the plugin could not read the source, as the warning 2.19 shows for it (the source is
    given up only once every plugin has tried)."""
    from ansible.errors import AnsibleError
    plugin_name = 'auto' if msg.get('auto') else msg['plugin']
    if not isinstance(error, BaseException):
        error = AnsibleError(error)
    try:
        from ansible._internal._datatag import _tags
        from ansible.utils.display import Display
        origin = _tags.Origin(description=origin_text or '<inventory plugin %r with source %r>' % (plugin_name, str(msg['source'])))
        if not isinstance(error, AnsibleError):
            try:
                raise AnsibleError(str(error), obj=origin) from error
            except AnsibleError as wrapped:
                error = wrapped
        elif not error.obj:
            error.obj = origin
        before = len(PLUGIN_WARNINGS)
        Display().error_as_warning(msg='Failed to parse inventory with %r plugin.' % plugin_name, exception=error)
        text = PLUGIN_WARNINGS.pop() if len(PLUGIN_WARNINGS) > before else None
    except (ImportError, AttributeError, TypeError):   # before 2.19
        text = None
    if text is None:
        text = "Failed to parse inventory with '%s' plugin: %s" % (plugin_name, exception_message(error))
    return with_warnings({'failure': text})


def inventory_rebuild(inventory, state):
    """The inventory so far, as the controller holds it: groups, their children, hosts in their
    order and groups, variables (legacy JSON, so untrusted and vaulted values stay so)."""
    try:   # the controller's plain text is trusted as templates, as the decoder has it for trusted input
        from ansible._internal._json._profiles import _legacy
        from ansible._internal._datatag._tags import TrustedAsTemplate
        state = json.loads(TrustedAsTemplate().tag(state), cls=_legacy.Decoder)
    except ImportError:
        from ansible.parsing.ajson import AnsibleJSONDecoder
        state = json.loads(state, cls=AnsibleJSONDecoder)
    for g in state.get('groups', ()):
        inventory.add_group(g['name'])
    for g in state.get('groups', ()):
        for child in g.get('children', ()):
            inventory.add_child(g['name'], child)
    for h in state.get('hosts', ()):
        inventory.current_source = h.get('source')
        inventory.add_host(h['name'])
        inventory.hosts[h['name']].vars.update(h.get('vars') or {})
    inventory.current_source = None
    for g in state.get('groups', ()):
        group = inventory.groups[g['name']]
        for h in g.get('hosts', ()):
            if h in inventory.hosts:
                inventory.add_host(h, g['name'])
        group.vars.update(g.get('vars') or {})
        if g.get('priority') is not None:
            group.set_priority(int(g['priority']))


def inventory_dump(inventory):
    """The inventory as JSON text, untrusted text and vaulted values in their legacy forms."""
    try:
        from ansible._internal._json._profiles import _legacy
        encoder = _legacy.Encoder
    except ImportError:
        from ansible.parsing.ajson import AnsibleJSONEncoder as encoder
    groups = [{'name': g.name, 'vars': g.vars, 'children': [c.name for c in g.child_groups], 'hosts': [h.name for h in g.hosts],
               'priority': g.priority} for g in inventory.groups.values()]
    hosts = [{'name': h.name, 'vars': h.vars} for h in inventory.hosts.values()]
    return json.dumps({'groups': groups, 'hosts': hosts}, cls=encoder)


VARS_PRIMED = []


def vars_loader_primed(loader):
    """The vars loader with its legacy plugins found and the enabled ones loaded, again after a
    new plugin dir cleared its caches (as get_vars_from_path primes it)."""
    from ansible.vars import plugins as vars_plugins
    if loader._paths is None or not VARS_PRIMED:
        vars_plugins._prime_vars_loader()
        VARS_PRIMED.append(True)


def vars_get(msg):
    """What the vars plugins other than host_group_vars (which the controller reads itself) give
    for entities at a path, as get_vars_from_path combines them: in the loader's order, each run
    when its stage allows; those the loader has before host_group_vars (legacy ones) or after it
    (the enabled ones), as `after` says (both without it). `entities`: names, hosts or groups as
    `host` says."""
    from ansible.inventory.group import Group
    from ansible.inventory.host import Host
    from ansible.utils.vars import combine_vars
    from ansible.vars import plugins as vars_plugins
    loader = plugin_loader('vars', msg.get('dirs') or (), msg.get('collections_paths'))
    vars_loader_primed(loader)
    data_loader = plugin_data_loader(msg)
    entities = [Host(n) if msg.get('host') else Group(n) for n in msg['entities']]
    data, after = {}, False
    try:
        for plugin_name in list(loader._plugin_instance_cache):
            plugin = loader.get(plugin_name)
            if plugin is not None and plugin.ansible_name == 'ansible.builtin.host_group_vars':
                after = True
                continue
            if plugin is None or msg.get('after') not in (None, after):
                continue
            if '.' in plugin.ansible_name and not plugin.ansible_name.startswith('ansible.builtin.') and hasattr(plugin, 'REQUIRES_ENABLED'):
                from ansible.utils.display import Display
                Display().warning("Vars plugins in collections must be enabled to be loaded, REQUIRES_ENABLED is not supported. "
                                  "This should be removed from the plugin %s." % plugin.ansible_name)
            if not vars_plugins._plugin_should_run(plugin, msg.get('stage', 'task')):
                continue
            new_vars = vars_plugins.get_plugin_vars(data_loader, plugin, msg['path'], entities)
            if new_vars:
                data = combine_vars(data, new_vars)
    except Exception as e:
        return with_warnings({'error': exception_message(e)})
    try:
        from ansible._internal._json._profiles import _legacy
        text = json.dumps(data, cls=_legacy.Encoder)
    except ImportError:
        from ansible.parsing.ajson import AnsibleJSONEncoder
        text = json.dumps(data, cls=AnsibleJSONEncoder)
    return with_warnings({'vars': text})


def vars_plugin_stages(msg):
    """At which stages (inventory, task, all) any vars plugin the loader has (legacy ones found
    in the plugin paths, and the enabled ones; host_group_vars aside) runs."""
    from ansible.vars import plugins as vars_plugins
    loader = plugin_loader('vars', msg.get('dirs') or (), msg.get('collections_paths'))
    vars_loader_primed(loader)
    plugins = [p for p in (loader.get(n) for n in list(loader._plugin_instance_cache))
               if p is not None and p.ansible_name != 'ansible.builtin.host_group_vars']
    return with_warnings({'stages': dict((stage, any(vars_plugins._plugin_should_run(p, stage) for p in plugins))
                                         for stage in ('inventory', 'task', 'all'))})


def exception_message(e):
    """An error with its causes, as ansible-core 2.19 words it (`msg: cause`); str() before."""
    try:
        from ansible._internal._errors._error_utils import format_exception_message
        return format_exception_message(e)
    except Exception:
        return str(e) or type(e).__name__


def become_plan(msg):
    """A become plugin written in Python (community.general's dzdo, pbrun, machinectl, sudosu…,
    or one in become_plugins/) builds its command as TaskExecutor has it build one: its options
    from the task's keywords and the host's variables, the command for the given one under the
    task's shell. What its target side looks for goes back with it: the password prompt, the
    success marker, its words for a wrong or missing password, whether it needs a terminal."""
    from ansible.plugins.loader import get_shell_plugin
    try:
        loader = plugin_loader('become', msg.get('dirs') or (), msg.get('collections_paths'))
        become = loader.get(msg['name'])
        if become is None:
            return with_warnings({'error': "Invalid become method specified, could not find matching plugin: '%s'. "
                                           "Use `ansible-doc -t become -l` to list available plugins." % msg['name'], 'missing': True})
        become.set_options(task_keys=msg.get('task_keys') or {}, var_options=msg.get('variables') or {})
        shell = get_shell_plugin(executable=msg.get('executable') or '/bin/sh')
        shell.executable = msg.get('executable') or '/bin/sh'
        command = become.build_become_command(msg['cmd'], shell)
        prompt = become.prompt if isinstance(become.prompt, str) and become.expect_prompt() else ''
        return with_warnings({'command': command, 'prompt': prompt, 'success': become.success, 'name': become.name,
                              'password': become.get_option('become_pass'),
                              'fail': list(become.fail), 'missing': list(become.missing), 'tty': bool(become.require_tty)})
    except Exception as e:
        return with_warnings({'error': exception_message(e)})


def with_origins(o):
    """Values tagged as 2.19's loader tags what it reads (the validator's messages name the
    tagged class: `_AnsibleTaggedStr`); as they are before 2.19."""
    try:
        from ansible.module_utils._internal._datatag import AnsibleTagHelper
        from ansible._internal._datatag._tags import Origin
    except ImportError:
        return o
    def tag(v):
        if isinstance(v, dict):
            v = dict((k, tag(x)) for k, x in v.items())
        elif isinstance(v, list):
            v = [tag(x) for x in v]
        elif v is None or isinstance(v, bool):
            return v
        try:
            return AnsibleTagHelper.tag(v, Origin.UNKNOWN)
        except Exception:
            return v
    return tag(o)


def validate_argument_spec(msg):
    """A role's (or a task's) argument spec checked by module_utils' own validator."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    validator = ArgumentSpecValidator(msg['argument_spec'])
    params = with_origins(with_markers(msg['params']))
    try:
        result = validator.validate(params, validate_role_argument_spec=True)
    except TypeError:   # ansible-core before the role option
        result = validator.validate(params)
    return {'errors': list(result.error_messages)}



def ssh_agent_add(msg):
    """2.19's private_key: the key added to the ssh-agent by ansible-core's own client, as its ssh
    connection plugin adds it, and given back unencrypted (OpenSSH form) for the controller's login."""
    import time
    from ansible._internal._ssh import _ssh_agent
    from cryptography.hazmat.primitives import serialization
    try:
        passphrase = msg.get('passphrase')
        key, public, fingerprint = _ssh_agent.key_data_into_crypto_objects(
            msg['key'].encode(), passphrase.encode() if passphrase else None)
        with _ssh_agent.SshAgentClient(msg['sock']) as client:
            added = public not in client
            if added:
                client.add(key, '[added by ansible: PID=%s, UID=%d, EUID=%d, TIME=%s]' % (
                    msg['pid'], os.getuid(), os.geteuid(), time.time()), msg.get('lifetime'))
    except Exception as e:
        return {'error': exception_message(e)}
    text = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
    return {'fingerprint': fingerprint, 'added': added, 'key': text.decode()}


# Users' Python action plugins run here too, as Ansible's controller runs them: ansible-core's
# own classes, with the ActionBase methods that reach the target replaced (Mitogen's way). What a
# plugin does on the target (a module, a command, a file) is asked of the controller, which does
# it through the host's agent and answers; a request may ask many times before its reply.


def ask(kind, **body):
    from ansible.errors import AnsibleConnectionFailure, AnsibleError
    body['ask'] = kind
    write_frame(ASKING[0], body)
    answer = ANSWERS.get()
    if 'unreachable' in answer:
        raise AnsibleConnectionFailure(answer['unreachable'])
    if 'error' in answer:
        raise AnsibleError(answer['error'])
    return answer.get('value')


class BridgeConnection(object):
    """The task's connection as an action plugin sees it: the host's agent, through the controller."""
    has_native_async = False
    allow_executable = True
    supports_persistence = False
    force_persistence = False
    become = None
    _connected = True

    def __init__(self, play_context, options):
        from ansible.plugins.loader import shell_loader
        self._play_context = play_context
        self._options = options
        self.transport = options.get('transport') or 'ssh'
        self._shell = shell_loader.get('sh')
        self._shell.set_options()

    def get_option(self, name, hostvars=None):
        return self._options.get(name)

    def set_option(self, name, value):
        self._options[name] = value

    def set_options(self, *args, **kwargs):
        pass

    def has_option(self, name):
        return name in self._options

    def exec_command(self, cmd, in_data=None, sudoable=True):
        r = ask('command', cmd=cmd, in_data=in_data, sudoable=sudoable)
        return r['rc'], r['stdout'].encode('utf-8', 'surrogateescape'), r['stderr'].encode('utf-8', 'surrogateescape')

    def put_file(self, in_path, out_path):
        ask('put_file', src=in_path, dest=out_path)

    def fetch_file(self, in_path, out_path):
        ask('fetch_file', src=in_path, dest=out_path)

    def reset(self):
        pass

    def close(self):
        pass


def bridge_action_base():
    from ansible.plugins.action import ActionBase
    if getattr(ActionBase, '_swansible_bridged', False):
        return

    def _execute_module(self, module_name=None, module_args=None, tmp=None, task_vars=None, persist_files=False,
                        delete_remote_tmp=None, wrap_async=False, ignore_unknown_opts=False):
        name = module_name or self._task.action
        args = self._task.args if module_args is None else module_args
        return ask('module', name=name, args=args, wrap_async=bool(wrap_async), ignore_unknown_opts=bool(ignore_unknown_opts))

    def _low_level_execute_command(self, cmd, sudoable=True, in_data=None, executable=None,
                                   encoding_errors='surrogate_then_replace', chdir=None):
        r = ask('command', cmd=cmd, sudoable=sudoable, in_data=in_data, executable=executable, chdir=chdir)
        out, err = r['stdout'], r['stderr']
        return dict(rc=r['rc'], stdout=out, stdout_lines=out.splitlines(), stderr=err, stderr_lines=err.splitlines())

    ActionBase._execute_module = _execute_module
    ActionBase._low_level_execute_command = _low_level_execute_command
    ActionBase._swansible_bridged = True


def action_task(msg):
    """ansible-core's Task and PlayContext with what the controller worked out for this host."""
    from ansible.playbook.play_context import PlayContext
    from ansible.playbook.task import Task
    t = msg['task']
    task = Task()
    task.action = t['action']
    task._resolved_action = t.get('resolved_action') or t['action']
    task.args = with_markers(msg['args'])
    for k in ('async_val', 'poll', 'check_mode', 'diff', 'no_log', 'become', 'become_user', 'become_method',
              'delegate_to', 'name', 'environment', 'collections'):
        if t.get(k) is not None:
            setattr(task, k, t[k])
    pc = PlayContext()
    for k, v in (msg.get('play_context') or {}).items():
        setattr(pc, k, v)
    return task, pc


def action_plugins(msg):
    """The action loader, searching the playbook's and roles' dirs and the task's action_plugins/."""
    loader = plugin_loader('action', msg.get('dirs') or (), msg.get('collections_paths'))
    for d in msg.get('action_dirs') or ():
        if d not in PLUGIN_DIRS and os.path.isdir(d):
            loader.add_directory(d)
            PLUGIN_DIRS.add(d)
    return loader


def action_find(msg):
    """Ansible's _get_action_handler_with_module_context: the Python plugin that handles an action,
    or none when it is one of ansible-core's own (the controller has those itself)."""
    import ansible
    from ansible import constants as C
    from ansible.plugins.loader import module_loader
    action_loader = action_plugins(msg)
    action, collections = msg['action'], msg.get('collections') or None
    prefix = action.rpartition('.')[2].split('_')[0]
    network = (action.rpartition('.')[0] + '.' if '.' in action else '') + prefix
    module = module_loader.find_plugin_with_context(action, collection_list=collections)
    if module.resolved and module.action_plugin:
        handler = module.action_plugin
    elif action_loader.has_plugin(action, collection_list=collections):
        handler = action
    elif prefix in C.NETWORK_GROUP_MODULES and action_loader.has_plugin(network, collection_list=collections):
        handler = network
    else:
        return with_warnings({'found': False})
    found = action_loader.find_plugin_with_context(handler, collection_list=collections)
    own = os.path.join(os.path.dirname(ansible.__file__), 'plugins', 'action') + os.sep
    if not found.resolved or found.plugin_resolved_path.startswith(own):
        return with_warnings({'found': False})
    try:
        raw_params = bool(getattr(action_loader.get(handler, class_only=True, collection_list=collections), 'supports_raw_params', False))
    except Exception:   # a plugin that does not import says so when it runs
        raw_params = False
    return with_warnings({'found': True, 'handler': handler, 'name': found.plugin_resolved_name,
                          'path': found.plugin_resolved_path, 'raw_params': raw_params})


def action_run(msg):
    """One task's run of a Python action plugin; what it returns, or what it raised."""
    from ansible.errors import AnsibleConnectionFailure
    from ansible.plugins import loader as shared_loader
    from ansible.template import Templar
    action_loader = action_plugins(msg)
    bridge_action_base()
    task, pc = action_task(msg)
    search_path = msg.get('search_path') or []
    task.get_search_path = lambda: search_path
    data_loader = plugin_data_loader(msg)
    task_vars = with_markers(msg.get('variables') or {})
    templar = Templar(loader=data_loader, variables=task_vars)
    connection = BridgeConnection(pc, msg.get('connection') or {})
    handler = action_loader.get(msg['handler'], task=task, connection=connection, play_context=pc, loader=data_loader,
                                templar=templar, shared_loader_obj=shared_loader, collection_list=msg.get('collections') or None)
    if handler is None:
        return with_warnings({'raised': "the handler '%s' was not found" % msg['handler']})
    try:
        try:
            result = handler.run(task_vars=task_vars)
        finally:
            handler.cleanup()
    except AnsibleConnectionFailure as e:
        return with_warnings({'unreachable': exception_message(e)})
    except Exception as e:
        try:
            from ansible._internal._errors._error_utils import result_dict_from_exception, ContributesToTaskResult
            result = result_dict_from_exception(e, accept_result_contribution=True)
            # The executor's AnsibleTaskError wrapping: a plain exception's message is then the task's.
            contributes = isinstance(e, ContributesToTaskResult)
        except ImportError:   # before 2.19: an AnsibleAction's own result
            result = dict(getattr(e, 'result', None) or {'failed': True, 'msg': exception_message(e)})
            contributes = True
        result.pop('exception', None)
        if result.get('failed'):
            return with_warnings({'raised': result.get('msg') or exception_message(e), 'result': result,
                                  'contributes': contributes, 'traceback': traceback.format_exc()})
    try:   # Ansible's worker sends a result to the controller pickled, and drops one it cannot
        pickle.dumps(result)
    except Exception as e:
        return with_warnings({'omitted': 'Task result omitted due to queue send failure: %s' % exception_message(e)})
    return with_warnings({'result': result})


class _DebuggedTask(object):
    """The task as the debugger's `task` shows it: its name and its arguments."""
    def __init__(self, name, args):
        self.name, self.args = name, args

    def get_name(self):
        return self.name

    def __repr__(self):
        return 'TASK: %s' % self.name


class _DebuggedHost(object):
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name

    __str__ = __repr__ = get_name


class _DebuggedResult(object):
    """The result as the debugger's `result` has it: 2.19's _RawTaskResult keeps the data in
    `_return_data`, the TaskResult of earlier lines in `_result`."""
    def __init__(self, host, task, data):
        self.host = self._host = host
        self.task = self._task = task
        if type(self).__name__ == '_RawTaskResult':
            self._return_data = data
        else:
            self._result = data

    @property
    def data(self):
        return getattr(self, '_return_data', getattr(self, '_result', None))


try:   # named as the class it stands for, as its errors name it
    from ansible.executor.task_result import _RawTaskResult  # noqa: F401
    _DebuggedResult.__name__ = _DebuggedResult.__qualname__ = '_RawTaskResult'
except ImportError:
    _DebuggedResult.__name__ = _DebuggedResult.__qualname__ = 'TaskResult'


def debugger_line(msg):
    """One line typed at the task debugger: `p EXPR` printed as pprint prints it, else run as a
    Python statement, on the task, its variables, its host and its result; what they are after."""
    import contextlib
    import io
    import pprint
    host = _DebuggedHost(msg['host'])
    task = _DebuggedTask(msg['name'], msg.get('args') or {})
    scope = {'task': task, 'task_vars': with_markers(msg.get('task_vars') or {}), 'host': host, 'play_context': None,
             'result': _DebuggedResult(host, task, msg.get('result') or {})}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            if msg.get('print'):
                print(pprint.pformat(eval(msg['line'], {}, scope)))
            else:
                exec(compile(msg['line'] + '\n', '<stdin>', 'single'), {}, scope)
        except Exception:
            t, v = sys.exc_info()[:2]
            print('***%s:%s' % (t.__name__, repr(v)))
    return {'output': out.getvalue(), 'args': bytes_out(scope['task'].args), 'task_vars': bytes_out(scope['task_vars']),
            'result': bytes_out(scope['result'].data)}


HELPER_METHODS = {'debugger_line': debugger_line, 'vars_get': vars_get, 'vars_plugin_stages': vars_plugin_stages, 'inventory_parse': inventory_parse, 'plugin_find': plugin_find, 'plugin_user_names': plugin_user_names,
                  'action_find': action_find, 'action_run': action_run, 'plugin_call': plugin_call,
                  'validate_argument_spec': validate_argument_spec, 'ssh_agent_add': ssh_agent_add, 'become_plan': become_plan}

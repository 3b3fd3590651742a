# swansible agent: one long-lived Python process per (host, user), started by the controller
# over a connection's stdin. It speaks length-prefixed frames on its own copies of stdin and
# stdout and runs Ansible modules in-process with the module_utils the controller sends it.
#
# Frame: a 24-byte big-endian header (magic, flags, dst, src, handle, reply_to, length) and a
# JSON body. Nothing on the wire is executed except module source sent by the controller.
#
# An agent can start children (become: sudo, su, doas) and routes frames to them: a frame whose
# dst is a descendant goes down the child that leads to it (dst is set to 0 for the last hop);
# whatever a child writes goes up with its id as src. ROUTE_ADD tells ancestors that a new
# descendant is reached through this child; DISCONNECT tells them a child is gone.
#
# Bodies of requests and replies (flag ZLIB) are compressed end to end, controller <-> agent, on
# one raw-deflate stream per direction flushed at each frame (its 4-byte sync tail left off): a
# task's message mostly repeats the previous one, so it travels as little more than what changed.
# The hello, control and raw frames are never compressed; ancestors forward bodies untouched.
import base64
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import marshal
import os
import pickle
import shlex
import shutil
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import types
import zlib

MAGIC = 0x5357
HEADER = struct.Struct('>HHIIIII')
MAX_FRAME = 64 * 1024 * 1024
ROUTE_ADD, DISCONNECT, HEARTBEAT, RAW, ZLIB = 1, 2, 4, 8, 16
SYNC_TAIL = b'\x00\x00\xff\xff'
ZOUT = zlib.compressobj(6, zlib.DEFLATED, -13, 5)
ZIN = zlib.decompressobj(-15)
IN_FD = os.dup(0)
OUT_FD = os.dup(1)
ON_PTY = '--pty' in sys.argv
READY = b'SWANSIBLE-READY'

# Modules and the commands they run must never read or write the protocol streams.
_devnull = os.open(os.devnull, os.O_RDWR)
os.dup2(_devnull, 0)
if ON_PTY:
    os.dup2(_devnull, 2)   # on a terminal, stderr would mix into the frames
os.dup2(2, 1)
os.set_inheritable(IN_FD, False)
os.set_inheritable(OUT_FD, False)
OUT_LOCK = threading.Lock()


def read_exact(fd, n):
    chunks = []
    while n:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise EOFError()
        chunks.append(b)
        n -= len(b)
    return b''.join(chunks)


def read_raw(fd):
    """One frame: (header fields, raw header bytes, body bytes); the length is checked first."""
    head = read_exact(fd, HEADER.size)
    fields = HEADER.unpack(head)
    if fields[0] != MAGIC:
        raise ValueError('bad frame magic %#x' % fields[0])
    if fields[6] > MAX_FRAME:
        raise ValueError('frame of %d bytes exceeds the limit' % fields[6])
    return fields, head, read_exact(fd, fields[6]) if fields[6] else b''


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def send_up(data):
    with OUT_LOCK:
        write_all(OUT_FD, data)


UNDEFINED_KEY = '__swansible_undefined__'   # the engine's undefined marker, as the helper sends it


def plain(value):
    """A value JSON has no type for: sets as lists (a plugin may return one), anything else as text."""
    if hasattr(value, '_undefined_message'):   # an undefined marker a lookup returned
        return {UNDEFINED_KEY: value._undefined_message}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode('utf-8', 'surrogateescape')
    return str(value)


def dumps(body):
    """A body as JSON bytes, within the frame limit."""
    data = json.dumps(body, separators=(',', ':'), default=plain).encode('utf-8', 'surrogateescape')
    if len(data) > MAX_FRAME:
        data = json.dumps({'failed': True, 'msg': 'reply of %d bytes exceeds the frame limit' % len(data)}).encode()
    return data


def encode(body, reply_to=0, flags=0):
    data = dumps(body)
    return HEADER.pack(MAGIC, flags, 0, 0, 0, reply_to, len(data)) + data


def write_frame(reply_to, body):
    data = dumps(body)
    with OUT_LOCK:
        # Compressed under the lock: frames must reach the wire in the order the stream saw them.
        packed = (ZOUT.compress(data) + ZOUT.flush(zlib.Z_SYNC_FLUSH))[:-4]
        write_all(OUT_FD, HEADER.pack(MAGIC, ZLIB, 0, 0, 0, reply_to, len(packed)) + packed)


def unpack(fields, body):
    """A request's body as sent, inflated when it came compressed."""
    if not fields[1] & ZLIB:
        return body
    data = ZIN.decompress(body + SYNC_TAIL, MAX_FRAME)
    if ZIN.unconsumed_tail:
        raise ValueError('a compressed frame inflates past the limit')
    return data


class SourceFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ansible.module_utils (and collection module_utils) from sources the controller sent."""

    def __init__(self):
        self.sources = {}   # fullname -> (source, is_package)
        self.use_cache = True

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.sources:
            return importlib.util.spec_from_loader(fullname, self, is_package=self.sources[fullname][1])
        if fullname in ('ansible', 'ansible_collections', 'ansible.modules') or self._is_namespace(fullname):
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        return None

    def _is_namespace(self, fullname):
        # Every package above a collection's module_utils (`ns.coll.plugins` too: a module's
        # relative import goes through it) is an empty one.
        prefix = fullname + '.'
        return fullname.startswith('ansible_collections.') and any(k.startswith(prefix) for k in self.sources)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__spec__.name
        source, is_pkg = self.sources.get(name, ('', True))
        module.__file__ = '<swansible>/%s%s' % (name.replace('.', '/'), '/__init__.py' if is_pkg else '.py')
        if is_pkg:
            module.__path__ = []
        exec(compiled(source, module.__file__, DIGESTS.get(name) if self.use_cache else None), module.__dict__)


FINDER = SourceFinder()
# The controller's helper agent imports the installed ansible-core itself (see plugin_*).
HELPER = os.environ.pop('SWANSIBLE_HELPER', None) == '1'
if not HELPER:
    sys.meta_path.insert(0, FINDER)
MODULES = {}      # SHA-256 -> compiled module code
TMPDIRS = {}      # remote_tmp as a task gives it (None: the default) -> the agent's directory there


def tmpdir(remote_tmp=None):
    """The agent's private 0700 directory in the task's remote_tmp (made 0700 as Ansible makes
    it, when it can be), one per remote_tmp a task names, made on first use and removed when the
    agent exits."""
    if remote_tmp not in TMPDIRS:
        first = [os.path.expanduser(os.path.expandvars(remote_tmp))] if remote_tmp else []
        for base in first + [os.path.expanduser('~/.ansible/tmp'), tempfile.gettempdir(), '/var/tmp', '/tmp']:
            try:
                os.makedirs(base, mode=0o700, exist_ok=True)
                TMPDIRS[remote_tmp] = tempfile.mkdtemp(prefix='swansible-%d-' % os.getpid(), dir=base)
                break
            except OSError:
                continue
    return TMPDIRS.get(remote_tmp)


def in_tmpdir(path):
    """Whether a path is in one of the agent's own directories (an upload it made)."""
    return any(path.startswith(d + os.sep) for d in TMPDIRS.values())


def cleanup(*_):
    for child in list(CHILDREN.values()):
        try:
            os.close(child.in_fd)
        except OSError:
            pass
    for d in TMPDIRS.values():
        shutil.rmtree(d, ignore_errors=True)
    os._exit(0)


def filter_json(text):
    """Ansible's _filter_non_json_lines(objects_only=True): the JSON object between junk lines, and
    the lines after it when any is not blank (Ansible warns about those)."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if line.strip().startswith('{'):
            break
    else:
        return None, []
    lines = lines[start:]
    for offset, line in enumerate(reversed(lines)):
        if line.strip().endswith('}'):
            break
    else:
        return None, []
    end = len(lines) - offset
    trailing = lines[end:]
    return '\n'.join(lines[:end]), trailing if any(t.strip() for t in trailing) else []


CACHE = os.path.expanduser('~/.cache/swansible/modules')


def cache_index():
    """What this user's module cache holds: `<digest>.m` modules, `.u` module_utils, `.x` closures."""
    try:
        return [f for f in os.listdir(CACHE) if not f.startswith('.')]
    except OSError:
        return []


def make_private(*dirs):
    """The cache's directories, made private to this user where missing."""
    for d in dirs:
        if not os.path.isdir(d):
            os.makedirs(d, mode=0o700, exist_ok=True)
            os.chmod(d, 0o700)


def cache_put(name, text):
    try:
        make_private(os.path.dirname(CACHE), CACHE)   # ~/.cache/swansible and its modules/
        tmp = os.path.join(CACHE, '.%s.%d' % (name, os.getpid()))
        with open(tmp, 'w', encoding='utf-8', errors='surrogateescape') as f:
            f.write(text)
        os.rename(tmp, os.path.join(CACHE, name))
    except OSError:
        pass


def cache_get(name):
    """A cached text, if its content still matches its name (the SHA-256 of the text)."""
    try:
        with open(os.path.join(CACHE, name), encoding='utf-8', errors='surrogateescape') as f:
            text = f.read()
    except OSError:
        return None
    digest = hashlib.sha256(text.encode('utf-8', 'surrogateescape')).hexdigest()
    return text if name.endswith('.x') or name.startswith(digest + '.') else None


# Code compiled from the sources above, kept per Python (its bytecode's magic number) as Python
# keeps .pyc files: a later agent of this user unmarshals it instead of compiling again (about a
# third of the CPU a fresh agent spends on its first module).
CODE_CACHE = os.path.join(CACHE, 'code-' + importlib.util.MAGIC_NUMBER.hex())


def compiled(source, filename, digest):
    """compile(source, filename), through the code cache when `digest` (the source's SHA-256,
    checked when it was received or read back) is given."""
    if not digest:
        return compile(source, filename, 'exec')
    path = os.path.join(CODE_CACHE, hashlib.sha256(('%s\0%s' % (digest, filename)).encode('utf-8', 'surrogateescape')).hexdigest())
    try:
        with open(path, 'rb') as f:
            code = marshal.loads(f.read())
        if isinstance(code, types.CodeType):
            return code
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = compile(source, filename, 'exec')
    try:
        make_private(os.path.dirname(CACHE), CACHE, CODE_CACHE)
        tmp = '%s.%d.tmp' % (path, os.getpid())
        with open(tmp, 'wb') as f:
            f.write(marshal.dumps(code))
        os.rename(tmp, path)
    except (OSError, ValueError):
        pass
    return code


def closure_digest(manifest):
    """A module_utils closure's address: SHA-256 over its sorted `name=digest` lines."""
    lines = '\n'.join('%s=%s' % (n, manifest[n][0]) for n in sorted(manifest))
    return hashlib.sha256(lines.encode()).hexdigest()


DIGESTS = {}    # module_utils name -> digest of the source loaded for it


def module_file(msg):
    """The module's path as AnsiballZ lays it out beside the `ansible` package (…/ansible/legacy/x.py):
    2.19's module_utils name a deprecation's module from it."""
    return '<swansible>/' + msg.get('file', msg['name'] + '.py')


def load(msg):
    """Brings in the module and its module_utils closure, from the message or this user's cache
    (content-addressed); returns the compiled module, or what is still needed."""
    use_cache = FINDER.use_cache = msg.get('cache', True)
    for name, (source, is_pkg) in msg.get('utils', {}).items():
        FINDER.sources[name] = (source, is_pkg)
        DIGESTS.pop(name, None)
    need = {}
    manifest = msg.get('manifest')
    closure = msg.get('closure')
    if manifest is None and closure:
        text = cache_get(closure + '.x') if use_cache else None
        try:
            manifest = json.loads(text) if text else None
            if manifest is not None and closure_digest(manifest) != closure:
                manifest = None
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            manifest = None
        if manifest is None:
            need['manifest'] = True
    elif manifest is not None and closure and use_cache:
        cache_put(closure + '.x', json.dumps(manifest))
    sources = msg.get('sources') or {}
    missing = []
    for name, (digest, is_pkg) in (manifest or {}).items():
        if DIGESTS.get(name) == digest:
            continue
        src = sources.get(digest)
        if src is not None:
            if use_cache:
                cache_put(digest + '.u', src)
        elif use_cache:
            src = cache_get(digest + '.u')
        if src is None:
            missing.append(digest)
            continue
        FINDER.sources[name] = (src, is_pkg)
        DIGESTS[name] = digest
    if missing:
        need['digests'] = missing
    digest = msg['hash']
    code = MODULES.get(digest)
    if code is None:
        source = msg.get('source')
        if source is not None and use_cache:
            cache_put(digest + '.m', source)
        elif source is None and use_cache:
            source = cache_get(digest + '.m')
        if source is None:
            need['module'] = True
        elif msg.get('script'):
            code = MODULES[digest] = source   # a program run as it is, not Python
        else:
            code = MODULES[digest] = compiled(source, module_file(msg), digest if use_cache else None)
            MODULE_SOURCES[digest] = source
    return code if not need else need


INTERNAL = {}   # digest -> Ansible's internal module arguments (_ansible_*), sent once each
MODULE_SOURCES = {}   # digest -> module source, for a module that respawns under another Python

# A module that needs another interpreter (apt and dnf want the system Python's bindings) is run
# again there: this script, given the module, its module_utils and its arguments on stdin.
RESPAWN_CHILD = '''
import importlib.abc, importlib.util, json, sys
data = json.loads(sys.stdin.buffer.read())
sources = data['sources']
class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name in sources:
            return importlib.util.spec_from_loader(name, self, is_package=sources[name][1])
        if name in ('ansible', 'ansible_collections', 'ansible.modules') or (
                name.startswith('ansible_collections.') and any(k.startswith(name + '.') for k in sources)):
            return importlib.util.spec_from_loader(name, self, is_package=True)
        return None
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        name = module.__spec__.name
        source, is_pkg = sources.get(name, ('', True))
        module.__file__ = '<swansible>/' + name.replace('.', '/') + ('/__init__.py' if is_pkg else '.py')
        if is_pkg:
            module.__path__ = []
        exec(compile(source, module.__file__, 'exec'), module.__dict__)
sys.meta_path.insert(0, Finder())
import types
main = types.ModuleType('__main__')
main.__dict__.update({'__file__': data['name'], '__package__': data['package'], '_respawned': True})
sys.modules['__main__'] = main
import ansible.module_utils.basic as basic
basic._ANSIBLE_ARGS = data['args'].encode()
basic._ANSIBLE_PROFILE = 'legacy'
sys.argv = [data['name']]
try:
    exec(compile(data['module'], data['name'], 'exec'), main.__dict__)
except Exception as ex:
    try:
        from ansible.module_utils._internal._ansiballz._loader import _handle_exception
    except ImportError:
        raise ex
    _handle_exception(ex, 'legacy')   # the failed result naming the exception, as AnsiballZ prints it
'''


def patch_respawn(msg):
    """respawn_module and its probe, done without the AnsiballZ payload the originals rebuild."""
    if 'ansible.module_utils.common.respawn' not in FINDER.sources:
        return
    import ansible.module_utils.common.respawn as respawn
    import ansible.module_utils.basic as basic

    def probe_interpreters_for_module(interpreter_paths, module_name):
        for path in interpreter_paths:
            if os.path.exists(path) and subprocess.call([path, '-c', 'import %s' % module_name], stdout=subprocess.DEVNULL,
                                                        stderr=subprocess.DEVNULL) == 0:
                return path
        return None

    def respawn_module(interpreter_path):
        data = {'sources': {name: list(v) for name, v in FINDER.sources.items()}, 'module': MODULE_SOURCES[msg['hash']],
                'name': module_file(msg), 'package': msg.get('package', 'ansible.modules'),
                'args': basic._ANSIBLE_ARGS.decode('utf-8', 'surrogateescape')}
        p = subprocess.run([interpreter_path, '-c', RESPAWN_CHILD], input=json.dumps(data).encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        sys.stdout.write(p.stdout.decode('utf-8', 'surrogateescape'))
        sys.stderr.write(p.stderr.decode('utf-8', 'replace'))
        sys.exit(p.returncode)

    respawn.probe_interpreters_for_module = probe_interpreters_for_module
    respawn.respawn_module = respawn_module
    respawn.has_respawned = lambda: False


def module_args(msg):
    """The call's module arguments with its variant of Ansible's internal arguments merged in."""
    key = msg.get('internal_key')
    if 'internal' in msg:
        INTERNAL[key] = msg['internal']
    args = dict(INTERNAL.get(key) or {})
    args.update(msg['args'])
    return args


def module_exception(ex, err):
    """An exception a module did not handle, as its AnsiballZ wrapper reports it: 2.19's module_utils
    print a failed result naming it; older ones leave a traceback on stderr (MODULE FAILURE). A hook
    the module installed comes first, as the interpreter would call it (<= 2.18's file module
    turns its AnsibleModuleError into fail_json there)."""
    if sys.excepthook is not sys.__excepthook__:
        try:
            sys.excepthook(type(ex), ex, ex.__traceback__)
            return 1
        except SystemExit as e:
            return e.code if isinstance(e.code, int) else 1
        except Exception:
            pass
    try:
        from ansible.module_utils._internal._ansiballz._loader import _handle_exception
    except ImportError:
        traceback.print_exc(file=err)
        return 1
    try:
        _handle_exception(ex, 'legacy')
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    return 1


class VforkPopen(subprocess.Popen):
    """AnsibleModule.run_command passes a preexec_fn that only sets the umask it is given, which
    keeps Python from starting the command with vfork: the agent, a long-lived process with many
    modules loaded, is then copied for every command (a fresh AnsiballZ process is small). The
    same umask goes through Popen's own `umask` (3.9+), and vfork is used again."""

    def __init__(self, *args, **kwargs):
        pre = kwargs.get('preexec_fn')
        if pre is not None and getattr(pre, '__qualname__', '') == 'AnsibleModule.run_command.<locals>.preexec':
            cells = dict(zip(pre.__code__.co_freevars, pre.__closure__ or ()))
            if set(cells) == {'umask'}:
                umask = cells['umask'].cell_contents
                if not umask:
                    kwargs['preexec_fn'] = None
                elif sys.version_info >= (3, 9) and 'umask' not in kwargs:
                    kwargs['preexec_fn'], kwargs['umask'] = None, umask
        super(VforkPopen, self).__init__(*args, **kwargs)


subprocess.Popen = VforkPopen


def new_style_exit_checked():
    """Whether this ansible-core's module_utils fail a module that returns (2.19's do)."""
    try:
        from ansible.module_utils._internal._ansiballz._loader import _handle_exception  # noqa: F401
        return True
    except ImportError:
        return False


def run_module(msg):
    code = load(msg)
    if isinstance(code, dict):
        return {'need': code}
    if msg.get('script'):
        return run_script_module(msg, code)
    taskdir = None
    files = msg.get('files') or {}
    args = module_args(msg)
    if files or msg.get('needs_tmp'):
        taskdir = tempfile.mkdtemp(prefix='task-', dir=tmpdir(args.get('_ansible_remote_tmp')))
        for rel, content in files.items():
            path = os.path.join(taskdir, rel)
            with open(path, 'wb') as f:
                f.write(base64.b64decode(content))
        args = json.loads(json.dumps(args).replace('@@TASKDIR@@', taskdir))
    args['_ansible_tmpdir'] = taskdir or tmpdir(args.get('_ansible_remote_tmp'))
    try:
        import ansible.module_utils.basic as basic
    except ImportError as e:
        return {'missing': e.name or str(e), 'rc': 1}
    # Each module starts as in a fresh process: warnings and deprecations of earlier ones are gone.
    shared = sys.modules.get('ansible.module_utils.common.warnings')
    for name in ('_global_warnings', '_global_deprecations'):
        if hasattr(getattr(shared, name, None), 'clear'):
            getattr(shared, name).clear()
    basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()
    # 2.19 reads `_ansible_tracebacks_for` once per process: each module reads its own.
    tracebacks = sys.modules.get('ansible.module_utils._internal._traceback')
    if hasattr(tracebacks, '_module_tracebacks_enabled_events'):
        tracebacks._module_tracebacks_enabled_events = None
    patch_respawn(msg)
    basic._ANSIBLE_PROFILE = msg.get('profile') or 'legacy'
    out = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', errors='surrogateescape', write_through=True)
    err = io.StringIO()
    saved = sys.stdout, sys.stderr, sys.argv, os.getcwd()
    environment = msg.get('environment')
    saved_env = dict(os.environ) if environment else None
    if environment:
        os.environ.update(environment)   # the task's `environment:`, for this module only
    saved_nofile = set_nofile(msg.get('rlimit_nofile'))
    sys.stdout, sys.stderr, sys.argv = out, err, ['<swansible>/%s.py' % msg['name']]
    # The module is `__main__` while it runs (as AnsiballZ's runpy makes it): it may look
    # itself up in sys.modules.
    main, saved_main = types.ModuleType('__main__'), sys.modules.get('__main__')
    main.__dict__.update({'__file__': sys.argv[0], '__package__': msg.get('package', 'ansible.modules'),
                          '__builtins__': __builtins__})
    sys.modules['__main__'] = main
    rc = 0
    try:
        exec(code, main.__dict__)
        if new_style_exit_checked():
            # 2.19's AnsiballZ: a module must print its result and exit; returning is a failure.
            raise RuntimeError('New-style module did not handle its own exit.')
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except ImportError as e:
        missing = e.name or ''
        if missing.startswith('ansible.') or missing.startswith('ansible_collections.'):
            return {'missing': missing, 'rc': 1}
        traceback.print_exc(file=err)
        rc = 1
    except Exception as ex:
        rc = module_exception(ex, err)
    except BaseException:
        traceback.print_exc(file=err)
        rc = 1
    finally:
        if saved_env is not None:
            os.environ.clear()
            os.environ.update(saved_env)
        if saved_nofile:
            set_nofile(*saved_nofile)
        sys.excepthook = sys.__excepthook__
        sys.modules['__main__'] = saved_main
        sys.stdout, sys.stderr, sys.argv = saved[0], saved[1], saved[2]
        try:
            os.chdir(saved[3])
        except OSError:
            os.chdir('/')
        if taskdir and not msg.get('keep_remote_files'):
            shutil.rmtree(taskdir, ignore_errors=True)
    return module_reply(rc, out.buffer.getvalue().decode('utf-8', 'surrogateescape'), err.getvalue())


def set_nofile(soft, hard=None):
    """AnsiballZ's PYTHON_MODULE_RLIMIT_NOFILE: the soft limit of open files, capped by the hard
    one, for one module; returns the limits to put back (the agent outlives the module)."""
    if not soft:
        return None
    import resource
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = (min(before[1], soft), before[1]) if hard is None else (soft, hard)
    if wanted == before:
        return None
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, wanted)
    except ValueError:
        return None
    return before


def untag(obj):
    """A value a 2.19 module sent with its data tags: the value itself, or, tagged Deprecated
    (`deprecate_value`), `{"__swansible_deprecated": tag, "value": value}` for the controller."""
    kind = obj.get('__ansible_type')
    if isinstance(kind, str) and kind.startswith('_AnsibleTagged') and 'value' in obj:
        for tag in obj.get('tags') or ():
            if isinstance(tag, dict) and tag.get('__ansible_type') == 'Deprecated':
                return {'__swansible_deprecated': tag, 'value': obj['value']}
        return obj['value']
    return obj


def module_reply(rc, stdout, stderr):
    """A module's reply: its result as an object (not JSON text inside JSON), found between junk
    lines as Ansible finds it; the raw output only when there is none."""
    try:
        found, trailing = filter_json(stdout)
        result = json.loads(found or '', object_hook=untag)
    except ValueError:
        result = None
    if isinstance(result, dict):
        reply = {'rc': rc, 'result': result, 'stderr': stderr}
        if '"Deprecated"' in found:
            reply['tagged'] = True   # values tagged by deprecate_value (untag)
        if trailing:
            warnings = result.get('warnings') or []
            result['warnings'] = (warnings if isinstance(warnings, list) else [warnings]) + [
                'Module invocation had junk after the JSON data: %s' % '\n'.join(trailing)]
        return reply
    return {'rc': rc, 'raw_stdout': stdout, 'stderr': stderr}


def run_script_module(msg, source):
    """A module that is a program of its own (a shell script, a compiled program): run with its
    arguments in a file, JSON for WANT_JSON and binary ones, else `k=v` words (Ansible's old-style
    modules); its stdout is the result."""
    script = msg['script']
    args = module_args(msg)
    work = tempfile.mkdtemp(prefix='task-', dir=tmpdir(args.get('_ansible_remote_tmp')))
    try:
        path = os.path.join(work, msg['name'])
        with open(path, 'wb') as f:
            f.write(base64.b64decode(source) if script.get('binary') else source.encode('utf-8', 'surrogateescape'))
        os.chmod(path, 0o700)
        with open(os.path.join(work, 'args'), 'w') as f:
            if script.get('want_json'):
                f.write(json.dumps(args))
            else:
                f.write(''.join('%s=%s ' % (k, shlex.quote(str(v))) for k, v in args.items()))
        # A Python one runs under this agent's Python (the host's); a binary one as it is.
        argv = [path, os.path.join(work, 'args')]
        if not script.get('binary'):
            interpreter = script['interpreter']
            argv.insert(0, sys.executable if interpreter == '@@PYTHON@@' else interpreter)
        env = dict(os.environ, **(msg.get('environment') or {}))
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=work)
    except OSError as e:
        return {'rc': 1, 'raw_stdout': '', 'stderr': str(e)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return module_reply(p.returncode, p.stdout.decode('utf-8', 'surrogateescape'), p.stderr.decode('utf-8', 'replace'))


def hello():
    # With no interpreter configured, the bootstrap passes the path it found (Ansible's discovery).
    args = [a for a in sys.argv[1:] if a != '--pty']
    discovered = args[0] if args and args[0] != '-' else None
    return {'python': sys.executable, 'discovered': discovered, 'version': list(sys.version_info[:3]),
            'pid': os.getpid(), 'uid': os.getuid(), 'home': os.path.expanduser('~'), 'cached': cache_index()}


class Child(object):
    """A child agent (become) and the frames that flow up from it."""

    def __init__(self, cid, proc, in_fd, out_fd):
        self.cid, self.proc, self.in_fd, self.out_fd = cid, proc, in_fd, out_fd
        self.lock = threading.Lock()

    def send(self, data):
        with self.lock:
            write_all(self.in_fd, data)

    def pump(self):
        try:
            while True:
                fields, head, body = read_raw(self.out_fd)
                if fields[1] & ROUTE_ADD:
                    ROUTES[json.loads(body)['id']] = self.cid
                if not fields[3]:
                    head = HEADER.pack(MAGIC, fields[1], fields[2], self.cid, fields[4], fields[5], fields[6])
                send_up(head + body)
        except (EOFError, OSError, ValueError):
            pass
        gone = [i for i, c in ROUTES.items() if c == self.cid]
        for i in gone:
            ROUTES.pop(i, None)
            send_up(encode({'id': i}, flags=DISCONNECT))
        CHILDREN.pop(self.cid, None)


CHILDREN = {}   # direct child id -> Child
ROUTES = {}     # descendant id -> direct child id


CTTY = ('import fcntl, os, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0); '
        'os.execvp(sys.argv[1], sys.argv[1:])')


def become_argv(msg, stage):
    """The command that starts the child's python as another user."""
    method, user = msg['method_name'], msg.get('user') or 'root'
    exe = msg.get('exe') or method
    flags = msg.get('flags')
    python = [msg.get('python') or sys.executable, '-c', stage, '-']
    if method == 'sudo':
        flags = (flags if flags is not None else '-H -S -n').split()
        if msg.get('password'):
            flags = [f for f in flags if f != '-n'] + ['-p', msg['prompt']]
        return exe.split() + flags + ['-u', user] + python
    if method == 'su':
        quoted = ' '.join("'%s'" % a.replace("'", "'\"'\"'") for a in python + ['--pty'])
        return exe.split() + (flags or '').split() + [user, '-c', quoted]
    if method == 'doas':
        # As Ansible's doas plugin: -n unless there is a password, which doas asks for on a terminal.
        flags = (flags or '').split()
        if not msg.get('password') and '-n' not in flags:
            flags.append('-n')
        return exe.split() + flags + ['-u', user] + python + (['--pty'] if msg.get('password') else [])
    if method == 'ssh':
        # The next hop of a via chain: this host's OpenSSH client runs the bootstrap over there.
        argv = [exe if msg.get('exe') else 'ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=%d' % int(msg.get('timeout') or 10)]
        if not msg.get('check_host_keys', True):
            argv += ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null']
        if msg.get('port'):
            argv += ['-p', str(msg['port'])]
        if msg.get('identity'):
            argv += ['-i', msg['identity']]
        if msg.get('user'):
            argv += ['-l', msg['user']]
        argv += (msg.get('ssh_args') or [])
        return argv + [msg['host'], msg['command']]
    raise ValueError('unsupported become method %r' % method)


PREMATURE_END = 'Premature end of stream waiting for become success.'   # the connection plugins' words


def spawn(msg):
    """Starts a child agent as another user, answers its password prompt, sends it this source."""
    cid = msg['id']
    use_pty = msg['method_name'] == 'su' or (msg['method_name'] == 'doas' and bool(msg.get('password')))
    stage = msg['stage']
    plugin = msg.get('become_command') is not None   # a Python become plugin built the whole command
    if plugin:
        argv, use_pty = ['/bin/sh', '-c', msg['become_command']], bool(msg.get('tty'))
    else:
        argv = become_argv(msg, stage)
    if use_pty:
        import pty
        import tty
        master, slave = pty.openpty()
        tty.setraw(slave)
        # The terminal must be the child's controlling terminal: doas (and some su) read the
        # password from /dev/tty. A new session takes it, then the become command runs.
        proc = subprocess.Popen([sys.executable, '-c', CTTY] + argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        in_fd = out_fd = err_fd = master
    else:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    close_fds=True, start_new_session=True)
        except OSError as e:   # a become_exe that is not there (Ansible's shell says "not found")
            return {'failed': True, 'msg': '%s\n>>> Standard Error\n%s' % (PREMATURE_END, e)}
        in_fd, out_fd, err_fd = proc.stdin.fileno(), proc.stdout.fileno(), proc.stderr.fileno()
    deadline = time.time() + float(msg.get('timeout') or 10)
    seen = b''
    prompts = 0
    prompt = msg.get('prompt', '').encode()
    # On a terminal: the prompts the controller names (su's localized ones), then a colon.
    terminal_prompt = re.compile(u'(?:%s)\\s*[:\uff1a]' % u'|'.join(re.escape(p) for p in msg.get('prompts') or ['Password']),
                                 re.IGNORECASE)
    while READY not in seen:
        left = deadline - time.time()
        if left <= 0:
            proc.kill()
            return {'failed': True, 'unreachable': True, 'msg': 'Timeout (%ds) waiting for privilege escalation prompt: %s'
                    % (int(msg.get('timeout') or 10), seen.decode('utf-8', 'replace').strip())}
        ready, _, _ = select.select([err_fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(err_fd, 4096)
        except OSError:
            chunk = b''
        if not chunk:
            proc.wait()
            text = seen.decode('utf-8', 'replace').strip()
            if msg['method_name'] == 'ssh':
                return {'failed': True, 'unreachable': True, 'msg': 'Failed to connect to the host via ssh: %s'
                        % text.replace('SWANSIBLE-READY', '').replace('SWANSIBLE-EXEC', '').strip()}
            missing = msg.get('missing') if plugin else ('password is required', 'a terminal is required', 'Authentication required')
            if any(w in text for w in missing):
                return {'failed': True, 'msg': 'Missing %s password' % msg['method_name']}
            return {'failed': True, 'msg': '%s\n>>> Standard Error\n%s' % (PREMATURE_END, text)}
        seen += chunk
        lower = seen.lower()
        asked = (prompt and seen.count(prompt) > prompts) or (use_pty and terminal_prompt.search(seen.decode('utf-8', 'replace')))
        if asked:
            if prompts or not msg.get('password'):
                proc.kill()
                return {'failed': True, 'msg': ('Incorrect %s password' if prompts else 'Missing %s password') % msg['method_name']}
            prompts += 1
            os.write(in_fd, msg['password'].encode() + b'\n')
            if use_pty:
                seen = b''
                prompts = 0
                prompt = b''
                msg = dict(msg, password=None)
        if (any(w.encode() in seen for w in msg.get('fail') or ()) if plugin else
                any(w in lower for w in (b'incorrect password', b'authentication failure', b'authentication failed', b'sorry'))):
            proc.kill()
            return {'failed': True, 'msg': 'Incorrect %s password' % msg['method_name']}
    if plugin and msg.get('success') and msg['success'] in msg['become_command'] and not use_pty:
        # The plugin's success marker was echoed on stdout before the child's Python started.
        line = b''
        while True:
            c = os.read(out_fd, 1)
            if not c:
                return {'failed': True, 'msg': PREMATURE_END}
            if c == b'\n':
                if msg['success'].encode() in line:
                    break
                line = b''
            else:
                line += c
    import zlib
    payload = zlib.compress(SOURCE if isinstance(SOURCE, bytes) else SOURCE.encode(), 9)
    write_all(in_fd, b'%d\n' % len(payload) + payload)
    try:
        fields, head, body = read_raw(out_fd)
    except (EOFError, OSError, ValueError) as e:
        return {'failed': True, 'msg': 'the become agent did not start: %s' % e}
    child = Child(cid, proc, in_fd, out_fd)
    CHILDREN[cid] = child
    ROUTES[cid] = cid
    threading.Thread(target=child.pump, daemon=True).start()
    send_up(encode({'id': cid}, flags=ROUTE_ADD))
    return json.loads(body)


def end_child(msg):
    """Ends a child agent (its stdin closes, so it exits with its own children) and waits for
    its process: the controller asks before a task deletes the child's user."""
    child = CHILDREN.pop(msg['id'], None)
    if child is None:
        return {}
    try:
        os.close(child.in_fd)
    except OSError:
        pass
    try:
        child.proc.wait(timeout=float(msg.get('timeout') or 10))
    except subprocess.TimeoutExpired:
        os.killpg(child.proc.pid, signal.SIGKILL)
        child.proc.wait()
    return {'ended': True}


def run_async(msg):
    """Starts a module detached, writing Ansible's job file, and returns at once (async: N)."""
    code = load(msg)
    if isinstance(code, dict):
        return {'need': code}
    jid = '%s.%d' % (msg['jid'], os.getpid())
    async_dir = os.path.expanduser(msg.get('async_dir') or '~/.ansible_async')
    os.makedirs(async_dir, exist_ok=True)
    path = os.path.join(async_dir, jid)

    def write_job(data):
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(data, f)
        os.rename(tmp, path)

    write_job({'started': 1, 'finished': 0, 'ansible_job_id': jid})
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork():
                os._exit(0)
            os.close(IN_FD)
            os.close(OUT_FD)
            limit = int(msg.get('time_limit') or 0)
            if limit > 0:
                signal.signal(signal.SIGALRM, lambda *_: (write_job({'failed': 1, 'finished': 1, 'ansible_job_id': jid,
                                                                    'msg': 'Timeout exceeded', 'child_pid': os.getpid()}),
                                                          os.killpg(0, signal.SIGKILL)))
                signal.alarm(limit)
            try:
                reply = run_module(msg)
            except Exception:
                reply = {'stderr': traceback.format_exc()}
            result = reply.get('result')
            if not isinstance(result, dict):
                result = {'failed': 1, 'msg': 'MODULE FAILURE', 'module_stdout': reply.get('raw_stdout', ''),
                          'module_stderr': reply.get('stderr', '')}
            elif reply.get('stderr'):
                result['stderr'] = reply['stderr']   # as async_wrapper keeps what the module printed there
            result['ansible_job_id'] = jid
            result['finished'] = 1
            write_job(result)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return {'started': 1, 'finished': 0, 'ansible_job_id': jid, 'results_file': path, 'changed': True}


UPLOADS = {}


def upload_open(msg):
    """A file streamed from the controller in raw chunks, into the agent's private temp dir."""
    fd, path = tempfile.mkstemp(prefix='upload-', dir=tmpdir(msg.get('remote_tmp')))
    UPLOADS[msg['id']] = (fd, path)
    return {'path': path}


def upload_chunk(msg, data):
    """A piece of an upload, written where it belongs (pieces may arrive in any order)."""
    fd, _ = UPLOADS[msg['id']]
    view, offset = memoryview(data), msg['offset']
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n
    return {}


def upload_close(msg):
    fd, path = UPLOADS.pop(msg['id'])
    os.close(fd)
    return {'path': path, 'size': os.path.getsize(path)}


def remove(msg):
    path = msg['path']
    if in_tmpdir(path):
        try:
            os.unlink(path)
        except OSError:
            pass
    return {}


def place(msg):
    """An upload moved where an action plugin's put_file puts it."""
    src = msg['src']
    if not in_tmpdir(src):
        return {'error': 'not an upload: %s' % src}
    try:
        shutil.move(src, os.path.expanduser(msg['dest']))
    except (OSError, shutil.Error) as e:
        return {'error': str(e)}
    return {}


def read_file(msg):
    """A piece of a file for fetch, in base64 inside the (compressed) reply; an error is reported."""
    try:
        with open(os.path.expanduser(msg['path']), 'rb') as f:
            f.seek(msg['offset'])
            data = f.read(msg['size'])
    except OSError as e:
        return {'error': str(e)}
    return {'data': base64.b64encode(data).decode('ascii')}


def run_script(msg):
    """script: creates/removes checked here, then the controller's script run by /bin/sh from a
    private dir of the temp dir (its name in `command` as @@SCRIPT@@), as Ansible's script action."""
    for key, present, text in (('creates', True, '%s exists, matching creates option'),
                               ('removes', False, '%s does not exist, matching removes option')):
        if msg.get(key) and os.path.exists(os.path.expanduser(msg[key])) == present:
            return {'skipped': text % msg[key]}
    if msg.get('check'):
        return {'check': True}
    work = tempfile.mkdtemp(dir=tmpdir(msg.get('remote_tmp')))
    try:
        path = os.path.join(work, msg['name'])
        if msg.get('upload'):
            shutil.move(msg['upload'], path)
        else:
            with open(path, 'wb') as f:
                f.write(base64.b64decode(msg['content']))
        os.chmod(path, 0o700)
        command = msg['command'].replace('@@SCRIPT@@', path)
        if msg.get('chdir'):
            command = 'cd %s && %s' % (shell_quote(msg['chdir']), command)
        p = subprocess.run(['/bin/sh', '-c', command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        return {'rc': p.returncode, 'stdout': p.stdout.decode('utf-8', 'replace'), 'stderr': p.stderr.decode('utf-8', 'replace')}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def shell_quote(s):
    return "'" + s.replace("'", "'\"'\"'") + "'"


METHODS = {'run_module': run_module, 'spawn': spawn, 'end_child': end_child, 'run_async': run_async, 'upload_open': upload_open,
           'upload_close': upload_close, 'remove': remove, 'place': place, 'read_file': read_file, 'run_script': run_script}
# The controller's helper (helper.py, run before this file) adds what serves Python plugins.
METHODS.update(globals().get('HELPER_METHODS') or {})
ANSWERS = queue.Queue()
ASKING = [0]   # the handle of the request being served, which an ask is sent under

WORK = queue.Queue()


def worker():
    """Requests for this agent run here one at a time, so routing never waits for a module."""
    while True:
        handle, msg, data = WORK.get()
        BUSY.set()
        ASKING[0] = handle
        method = msg.get('method')
        fn = METHODS.get(method)
        try:
            if data is not None:
                reply = upload_chunk(msg, data)
            else:
                reply = fn(msg) if fn else {'failed': True, 'msg': 'unknown agent method %r' % method}
        except BaseException:
            reply = {'failed': True, 'msg': 'agent error in %s: %s' % (method, sys.exc_info()[1]), 'exception': traceback.format_exc()}
        if WORK.empty():
            BUSY.clear()
        write_frame(handle, reply)


def heartbeat():
    """While a request runs, says it is alive every second: a stopped host is told apart from a
    long task by the silence, not by a task time limit."""
    beat = encode({}, flags=HEARTBEAT)
    while True:
        time.sleep(1)
        if BUSY.is_set():
            try:
                send_up(beat)
            except OSError:
                return


BUSY = threading.Event()


def main():
    signal.signal(signal.SIGTERM, cleanup)
    signal.signal(signal.SIGHUP, cleanup)
    send_up(encode(hello(), 1))   # plain: a parent reads its child's hello itself
    threading.Thread(target=worker, daemon=True).start()
    threading.Thread(target=heartbeat, daemon=True).start()
    while True:
        try:
            fields, head, body = read_raw(IN_FD)
        except (EOFError, OSError):
            cleanup()
        dst, handle = fields[2], fields[4]
        if dst:
            child = CHILDREN.get(ROUTES.get(dst))
            if child is None:
                write_frame(handle, {'failed': True, 'unreachable': True, 'msg': 'no route to context %d' % dst})
                continue
            if child.cid == dst:
                head = HEADER.pack(MAGIC, fields[1], 0, fields[3], handle, fields[5], fields[6])
            try:
                child.send(head + body)
            except OSError:
                write_frame(handle, {'failed': True, 'unreachable': True, 'msg': 'the context %d is gone' % dst})
            continue
        data = None
        if fields[1] & RAW:
            # A raw frame: one line of JSON about the bytes, then the bytes themselves.
            nl = body.index(b'\n')
            msg, data = json.loads(body[:nl]), body[nl + 1:]
        else:
            try:
                body = unpack(fields, body)
            except (ValueError, zlib.error) as e:
                sys.stderr.write('swansible agent: %s\n' % e)
                cleanup()
            msg = json.loads(body) if body else {}
        if msg.get('method') == 'answer':   # to an action plugin's ask, which the worker waits on
            ANSWERS.put(msg)
            continue
        if msg.get('method') == 'shutdown':
            write_frame(handle, {})
            cleanup()
        WORK.put((handle, msg, data))


main()

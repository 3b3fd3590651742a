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
        exec(compile(source, module.__file__, 'exec'), module.__dict__)


FINDER = SourceFinder()
# The controller's helper agent imports the installed ansible-core itself (see plugin_*).
HELPER = os.environ.pop('SWANSIBLE_HELPER', None) == '1'
if not HELPER:
    sys.meta_path.insert(0, FINDER)
MODULES = {}      # SHA-256 -> compiled module code
TMPDIR = None


def tmpdir(remote_tmp=None):
    """The agent's private 0700 directory, made on first use (in the task's remote_tmp, made 0700
    as Ansible makes it, when it can be) and removed when the agent exits."""
    global TMPDIR
    if TMPDIR is None:
        first = [os.path.expanduser(os.path.expandvars(remote_tmp))] if remote_tmp else []
        for base in first + [os.path.expanduser('~/.ansible/tmp'), tempfile.gettempdir(), '/var/tmp', '/tmp']:
            try:
                os.makedirs(base, mode=0o700, exist_ok=True)
                TMPDIR = tempfile.mkdtemp(prefix='swansible-%d-' % os.getpid(), dir=base)
                break
            except OSError:
                continue
    return TMPDIR


def cleanup(*_):
    for child in list(CHILDREN.values()):
        try:
            os.close(child.in_fd)
        except OSError:
            pass
    if TMPDIR:
        shutil.rmtree(TMPDIR, ignore_errors=True)
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


def cache_put(name, text):
    try:
        if not os.path.isdir(CACHE):
            for d in (os.path.dirname(CACHE), CACHE):   # ~/.cache/swansible and its modules/, both private
                if not os.path.isdir(d):
                    os.makedirs(d, mode=0o700, exist_ok=True)
                    os.chmod(d, 0o700)
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
    use_cache = msg.get('cache', True)
    for name, (source, is_pkg) in msg.get('utils', {}).items():
        FINDER.sources[name] = (source, is_pkg)
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
            code = MODULES[digest] = compile(source, module_file(msg), 'exec')
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
    """A value a 2.19 module sent with its data tags (Deprecated, …): the value itself."""
    kind = obj.get('__ansible_type')
    if isinstance(kind, str) and kind.startswith('_AnsibleTagged') and 'value' in obj:
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
        if trailing:
            warnings = result.get('warnings') or []
            result['warnings'] = (warnings if isinstance(warnings, list) else [warnings]) + [
                'Module invocation had junk after the JSON data: %s' % '\n'.join(trailing)]
        return {'rc': rc, 'result': result, 'stderr': stderr}
    return {'rc': rc, 'raw_stdout': stdout, 'stderr': stderr}


def run_script_module(msg, source):
    """A module that is a program of its own (a shell script): run with its arguments in a file,
    JSON for WANT_JSON ones, else `k=v` words (Ansible's old-style modules); its stdout is the result."""
    script = msg['script']
    args = module_args(msg)
    work = tempfile.mkdtemp(prefix='task-', dir=tmpdir(args.get('_ansible_remote_tmp')))
    try:
        path = os.path.join(work, msg['name'])
        with open(path, 'w') as f:
            f.write(source)
        os.chmod(path, 0o700)
        with open(os.path.join(work, 'args'), 'w') as f:
            if script.get('want_json'):
                f.write(json.dumps(args))
            else:
                f.write(''.join('%s=%s ' % (k, shlex.quote(str(v))) for k, v in args.items()))
        # A Python one runs under this agent's Python (the host's); without `#!`, sh runs it.
        interpreter = script.get('interpreter') or '/bin/sh'
        argv = [sys.executable if interpreter == '@@PYTHON@@' else interpreter, path, os.path.join(work, 'args')]
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
            if any(w in text for w in ('password is required', 'a terminal is required', 'Authentication required')):
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
        if any(w in lower for w in (b'incorrect password', b'authentication failure', b'authentication failed', b'sorry')):
            proc.kill()
            return {'failed': True, 'msg': 'Incorrect %s password' % msg['method_name']}
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
    if path.startswith(tmpdir() + os.sep):
        try:
            os.unlink(path)
        except OSError:
            pass
    return {}


def place(msg):
    """An upload moved where an action plugin's put_file puts it."""
    src = msg['src']
    if not src.startswith(tmpdir() + os.sep):
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


# The helper agent on the controller runs users' Python filter, test and lookup plugins through
# ansible-core's own plugin loader (plugin dirs next to playbooks and in roles, configured paths,
# collections), so they find what they import and are resolved by the names Ansible resolves.
PLUGIN_DIRS = set()
PLUGIN_CACHE = {}   # (kind, name) -> plugin object, or None when there is none
PLUGIN_WARNINGS = []   # what ansible-core's Display warned about while loading or running plugins


def capture_warnings():
    """Display's warnings (a plugin file that does not load, a plugin's own display.warning) go
    back with the reply, for the controller to show as Ansible would."""
    try:
        from ansible.utils.display import Display
        from ansible._internal import _display_utils
    except ImportError:
        return

    def _warning(self, warning):
        text = _display_utils.format_message(warning, False)
        PLUGIN_WARNINGS.append(text[:-1] if text.endswith('\n') else text)   # the display ends the line
    Display._warning = _warning


def with_warnings(reply):
    if PLUGIN_WARNINGS:
        reply['warnings'] = PLUGIN_WARNINGS[:]
        del PLUGIN_WARNINGS[:]
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
    return {'filter': loader.filter_loader, 'test': loader.test_loader, 'lookup': loader.lookup_loader, 'action': loader.action_loader}[kind]


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


def with_markers(o):
    """The engine's undefined markers as ansible-core's own, for plugins that accept them."""
    if isinstance(o, dict):
        if len(o) == 1 and UNDEFINED_KEY in o:
            from ansible._internal._templating._jinja_common import UndefinedMarker
            return UndefinedMarker(hint=o[UNDEFINED_KEY], _no_template_source=True)
        return dict((k, with_markers(v)) for k, v in o.items())
    if isinstance(o, list):
        return [with_markers(v) for v in o]
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
            value = fn(msg['value'], *msg.get('args', []), **msg.get('kwargs', {}))
            if kind == 'test':
                value = bool(value)
    except Exception as e:
        return with_warnings({'error': exception_message(e), 'type': type(e).__name__})
    return with_warnings({'value': value})


def exception_message(e):
    """An error with its causes, as ansible-core 2.19 words it (`msg: cause`); str() before."""
    try:
        from ansible._internal._errors._error_utils import format_exception_message
        return format_exception_message(e)
    except Exception:
        return str(e) or type(e).__name__


def validate_argument_spec(msg):
    """A role's (or a task's) argument spec checked by module_utils' own validator."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    validator = ArgumentSpecValidator(msg['argument_spec'])
    try:
        result = validator.validate(msg['params'], validate_role_argument_spec=True)
    except TypeError:   # ansible-core before the role option
        result = validator.validate(msg['params'])
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
ANSWERS = queue.Queue()
ASKING = [0]   # the handle of the request being served, which an ask is sent under


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

METHODS = {'plugin_find': plugin_find, 'plugin_user_names': plugin_user_names, 'action_find': action_find, 'action_run': action_run, 'plugin_call': plugin_call, 'validate_argument_spec': validate_argument_spec, 'ssh_agent_add': ssh_agent_add, 'run_module': run_module, 'spawn': spawn, 'end_child': end_child, 'run_async': run_async, 'upload_open': upload_open,
           'upload_close': upload_close, 'remove': remove, 'place': place, 'read_file': read_file, 'run_script': run_script}
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

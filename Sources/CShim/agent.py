# swansible agent: one long-lived Python process per (host, user), started by the controller
# over a connection's stdin. It speaks length-prefixed frames on its own copies of stdin and
# stdout and runs Ansible modules in-process with the module_utils the controller sends it.
#
# Frame: a 24-byte big-endian header (magic, flags, dst, src, handle, reply_to, length) and a
# JSON body. Nothing on the wire is executed except module source sent by the controller.
import base64
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import os
import shutil
import signal
import struct
import sys
import tempfile
import traceback

MAGIC = 0x5357
HEADER = struct.Struct('>HHIIIII')
MAX_FRAME = 64 * 1024 * 1024
IN_FD = os.dup(0)
OUT_FD = os.dup(1)

# Modules and the commands they run must never read or write the protocol streams.
_devnull = os.open(os.devnull, os.O_RDWR)
os.dup2(_devnull, 0)
os.dup2(2, 1)
os.set_inheritable(IN_FD, False)
os.set_inheritable(OUT_FD, False)


def read_exact(n):
    chunks = []
    while n:
        b = os.read(IN_FD, min(n, 1 << 20))
        if not b:
            raise EOFError()
        chunks.append(b)
        n -= len(b)
    return b''.join(chunks)


def read_frame():
    magic, flags, dst, src, handle, reply_to, length = HEADER.unpack(read_exact(HEADER.size))
    if magic != MAGIC:
        raise ValueError('bad frame magic %#x' % magic)
    if length > MAX_FRAME:
        raise ValueError('frame of %d bytes exceeds the limit' % length)
    return handle, json.loads(read_exact(length)) if length else {}


def write_frame(reply_to, body):
    data = json.dumps(body, separators=(',', ':'), default=str).encode('utf-8', 'surrogateescape')
    if len(data) > MAX_FRAME:
        data = json.dumps({'failed': True, 'msg': 'reply of %d bytes exceeds the frame limit' % len(data)}).encode()
    buf = HEADER.pack(MAGIC, 0, 0, 0, 0, reply_to, len(data)) + data
    view = memoryview(buf)
    while view:
        n = os.write(OUT_FD, view)
        view = view[n:]


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
        prefix = fullname + '.'
        return fullname.count('.') < 3 and fullname.startswith('ansible_collections.') and any(
            k.startswith(prefix) for k in self.sources)

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
sys.meta_path.insert(0, FINDER)
MODULES = {}      # sha1 -> compiled module code
TMPDIR = None


def tmpdir():
    """The agent's private 0700 directory, made on first use and removed when the agent exits."""
    global TMPDIR
    if TMPDIR is None:
        for base in (os.path.expanduser('~/.ansible/tmp'), tempfile.gettempdir(), '/var/tmp', '/tmp'):
            try:
                os.makedirs(base, mode=0o700, exist_ok=True)
                TMPDIR = tempfile.mkdtemp(prefix='swansible-%d-' % os.getpid(), dir=base)
                break
            except OSError:
                continue
    return TMPDIR


def cleanup(*_):
    if TMPDIR:
        shutil.rmtree(TMPDIR, ignore_errors=True)
    os._exit(0)


def filter_json(text):
    """Ansible's _filter_non_json_lines: the JSON object between junk lines."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if line.startswith('{') or line.startswith('['):
            break
    else:
        return None
    end = len(lines)
    for i in range(len(lines) - 1, start - 1, -1):
        if lines[i].rstrip().endswith('}') or lines[i].rstrip().endswith(']'):
            end = i + 1
            break
    return '\n'.join(lines[start:end])


def run_module(msg):
    for name, (source, is_pkg) in msg.get('utils', {}).items():
        FINDER.sources[name] = (source, is_pkg)
    digest = msg['hash']
    code = MODULES.get(digest)
    if code is None:
        if 'source' not in msg:
            return {'need_module': True}
        code = MODULES[digest] = compile(msg['source'], '<swansible>/%s.py' % msg['name'], 'exec')
    taskdir = None
    files = msg.get('files') or {}
    args = msg['args']
    if files or msg.get('needs_tmp'):
        taskdir = tempfile.mkdtemp(prefix='task-', dir=tmpdir())
        for rel, content in files.items():
            path = os.path.join(taskdir, rel)
            with open(path, 'wb') as f:
                f.write(base64.b64decode(content))
        args = json.loads(json.dumps(args).replace('@@TASKDIR@@', taskdir))
    args['_ansible_tmpdir'] = taskdir or tmpdir()
    try:
        import ansible.module_utils.basic as basic
    except ImportError as e:
        return {'missing': e.name or str(e), 'rc': 1}
    basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()
    basic._ANSIBLE_PROFILE = 'legacy'
    out = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', errors='surrogateescape', write_through=True)
    err = io.StringIO()
    saved = sys.stdout, sys.stderr, sys.argv, os.getcwd()
    sys.stdout, sys.stderr, sys.argv = out, err, ['<swansible>/%s.py' % msg['name']]
    rc = 0
    try:
        exec(code, {'__name__': '__main__', '__file__': sys.argv[0], '__package__': msg.get('package', 'ansible.modules'),
                    '__builtins__': __builtins__})
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except ImportError as e:
        missing = e.name or ''
        if missing.startswith('ansible.') or missing.startswith('ansible_collections.'):
            return {'missing': missing, 'rc': 1}
        traceback.print_exc(file=err)
        rc = 1
    except BaseException:
        traceback.print_exc(file=err)
        rc = 1
    finally:
        sys.stdout, sys.stderr, sys.argv = saved[0], saved[1], saved[2]
        try:
            os.chdir(saved[3])
        except OSError:
            os.chdir('/')
        if taskdir and not msg.get('keep_remote_files'):
            shutil.rmtree(taskdir, ignore_errors=True)
    stdout = out.buffer.getvalue().decode('utf-8', 'surrogateescape')
    return {'rc': rc, 'stdout': filter_json(stdout), 'raw_stdout': stdout, 'stderr': err.getvalue()}


def hello():
    # With no interpreter configured, the bootstrap passes the path it found (Ansible's discovery).
    discovered = sys.argv[1] if len(sys.argv) > 1 else None
    return {'python': sys.executable, 'discovered': discovered, 'version': list(sys.version_info[:3]),
            'pid': os.getpid(), 'uid': os.getuid(), 'home': os.path.expanduser('~')}


METHODS = {'run_module': run_module}


def main():
    signal.signal(signal.SIGTERM, cleanup)
    signal.signal(signal.SIGHUP, cleanup)
    write_frame(1, hello())
    while True:
        try:
            handle, msg = read_frame()
        except EOFError:
            cleanup()
        method = msg.get('method')
        if method == 'shutdown':
            write_frame(handle, {})
            cleanup()
        fn = METHODS.get(method)
        try:
            reply = fn(msg) if fn else {'failed': True, 'msg': 'unknown agent method %r' % method}
        except BaseException:
            reply = {'failed': True, 'msg': 'agent error in %s' % method, 'exception': traceback.format_exc()}
        write_frame(handle, reply)


main()

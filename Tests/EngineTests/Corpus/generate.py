#!/usr/bin/env python3
"""Generates the templating corpus: each case is rendered here by ansible-core's own Templar
(Jinja2 with Ansible's filters, tests and lookups) and the result (or the kind of error) is
stored in cases.json, which `swift test` (EngineTests/TemplatingCorpusTests) replays without
Python. Run with the venv's python: `.venv/bin/python Tests/EngineTests/Corpus/generate.py`."""
import datetime
import itertools
import json
import math
import os
import pathlib

from ansible.errors import AnsibleTemplateSyntaxError, AnsibleUndefinedVariable
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

HERE = pathlib.Path(__file__).resolve().parent
os.environ['SWANSIBLE_CORPUS_ENV'] = 'from-env'

VARS = {
    'n': 7, 'f': 2.5, 'neg': -3, 'zero': 0, 's': 'Hello World', 'empty': '', 'words': ['beta', 'alpha', 'gamma'],
    'nums': [3, 1, 4, 1, 5, 9, 2, 6], 'mixed': [1, 'a', None, True, 2.5], 'd': {'b': 1, 'a': {'x': [1, 2]}, 'c': None},
    'users': [{'name': 'ann', 'age': 31, 'admin': True, 'groups': ['wheel', 'dev']},
              {'name': 'bob', 'age': 25, 'admin': False, 'groups': ['dev']},
              {'name': 'cy', 'age': 40, 'admin': False, 'groups': []}],
    'flag': True, 'none': None, 'csv': 'a,b,,c', 'path': '/etc/nginx/conf.d/site.conf', 'ver': '2.10.3',
    'nested': [[1, [2, 3]], [4], 5], 'ports': {'http': 80, 'https': 443}, 'text': 'line1\nline2\n  indented\n',
    'ref': '{{ n * 2 }}', 'ref2': '{{ ref }}-x', 'url': 'https://user:pw@Example.com:8443/a/b?q=1#top',
}

VALUES = ["1", "2.5", "0", "-3", "'ab'", "''", "[1, 2]", "[]", "{'k': 1}", "true", "false", "none", "n", "s", "nums"]
OPS = ['+', '-', '*', '/', '//', '%', '**', '==', '!=', '<', '>', '<=', '>=', 'in', 'not in', 'and', 'or', '~']


def trusted(v):
    """Vars read from YAML are trusted as templates in ansible-core 2.19; do the same here."""
    if isinstance(v, str):
        return trust_as_template(v)
    if isinstance(v, list):
        return [trusted(x) for x in v]
    if isinstance(v, dict):
        return {k: trusted(x) for k, x in v.items()}
    return v


def render(source, file_mode=False, options=None):
    loader = DataLoader()
    loader.set_basedir(str(HERE))
    templar = Templar(loader=loader, variables=trusted(VARS))
    kwargs = {}
    if file_mode:
        kwargs = {'escape_backslashes': False, 'overrides': dict({'trim_blocks': True}, **(options or {}))}
    try:
        with templar.set_temporary_context(searchpath=[str(HERE / 'files'), str(HERE)]):
            result = templar.template(trust_as_template(source), **kwargs)
        return {'json': json.dumps(plain(result))}
    except AnsibleUndefinedVariable:
        return {'error': 'undefined'}
    except AnsibleTemplateSyntaxError:
        return {'error': 'syntax'}
    except Exception as e:
        return {'error': 'other'}


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()  # as Ansible's JSON encoder writes them
    if isinstance(v, dict):
        return {str(k) if not isinstance(k, (int, float, bool)) and k is not None else k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return str(v)
    if isinstance(v, (bool, int, float)) or v is None:
        return v
    return str(v)


def cases():
    out = []

    def add(t, **kw):
        out.append((t, kw))

    for a, op, b in itertools.product(VALUES[:12], OPS, VALUES[:12]):
        add('{{ %s %s %s }}' % (a, op, b))
    for v in VALUES:
        add('{{ not %s }}' % v)
        add('{{ -%s }}' % v if v not in ("''", "'ab'") else '{{ %s }}' % v)
        add('x{{ %s }}y' % v)
    filters = {
        'abs': ['neg', 'f', "'x'"], 'attr("name")': ['users[0]'], 'batch(3)': ['nums'], 'batch(3, "-")': ['nums'],
        'capitalize': ['s', "'aBC'"], 'center(15)': ['s'], 'count': ['nums', 's', 'd'], 'default("z")': ['none', 'empty', 'nosuch', 's'],
        'default("z", true)': ['empty', 'zero'], 'dictsort': ['d', 'ports'], 'dictsort(by="value")': ['ports'],
        'escape': ["'<a href=\"x\">&</a>'"], 'first': ['nums', 's', "[]"], 'float': ['n', "'3.5'", "'x'", 'none'],
        'format("x")': ["'%s-%s'"], 'groupby("admin") | map("first") | list': ['users'], 'indent(2)': ['text'],
        'indent(4, true)': ['text'], 'indent(2, blank=true)': ['text'], 'int': ['f', "'42'", "'0x1F'", "'x'", 'true'],
        "int(base=16)": ["'ff'"], 'items | list': ['d', 'ports'], 'join("|")': ['words', 'nums', 's'], 'join(",", attribute="name")': ['users'],
        'last': ['nums', 's'], 'length': ['nums', 's', 'd', "''"], 'list': ['s', 'd', 'nums'], 'lower': ['s'],
        'map("upper") | list': ['words'], 'map(attribute="name") | list': ['users'], 'map(attribute="nope", default=0) | list': ['users'],
        'max': ['nums', 'words'], 'min': ['nums', 'words'], 'max(attribute="age")': ['users'], 'pprint': ['d'],
        'reject("odd") | list': ['nums'], 'rejectattr("admin") | map(attribute="name") | list': ['users'],
        'replace("l", "L")': ['s'], 'replace("l", "L", 1)': ['s'], 'reverse | list': ['nums', 's'], 'round': ['f', "3.14159"],
        'round(2)': ["3.14159"], 'round(1, "floor")': ["2.77"], 'round(0, "ceil")': ["2.1"], 'safe': ['s'],
        'select("even") | list': ['nums'], 'select(">", 3) | list': ['nums'], 'selectattr("age", "gt", 30) | map(attribute="name") | list': ['users'],
        'selectattr("admin") | list | length': ['users'], 'slice(3) | list': ['nums'], 'sort': ['nums', 'words'],
        'sort(reverse=true)': ['nums'], 'sort(attribute="age") | map(attribute="name") | list': ['users'], 'string': ['n', 'd'],
        'striptags': ["'<p>a  <b>b</b></p>'"], 'sum': ['nums'], 'sum(attribute="age")': ['users'], 'title': ["'hello big world'"],
        'tojson': ['d'], 'trim': ["'  x  '"], 'trim("x")': ["'xxaxx'"], 'truncate(8, leeway=0)': ['s'], 'truncate(8, true, "..", 0)': ['s'],
        'unique | list': ['nums'], 'upper': ['s'], 'urlencode': ["'a b&c=d/é'"], 'wordcount': ['s'], 'wordwrap(5)': ["'aaa bbb ccc ddd'"],
        'xmlattr': ["{'id': 'x', 'class': none, 'data': 'a\"b'}"],
        'bool': ["'yes'", "'no'", '1', '0', "'True'", 'none'], 'to_json': ['d', 'mixed', "{'é': 'ü'}"], 'to_nice_json': ['d', "{'é': 'ü'}"],
        'to_json(indent=2, sort_keys=true)': ['d', 'users'], 'to_json(separators=(",", ":"))': ['d'],
        'to_json(ensure_ascii=false, indent=0)': ["{'é': ['ü']}"], 'to_nice_json(2, false)': ['d', 'users'],
        'to_yaml': ['d', 'users', 'words', 'mixed'], 'to_nice_yaml': ['d', 'users'], 'from_json': ["'{\"a\": [1, 2]}'"],
        'from_yaml': ["'a: 1'"], 'b64encode': ['s'], 'b64decode': ["'SGVsbG8='"], 'basename': ['path'], 'dirname': ['path'],
        'splitext': ['path'], 'path_join': ["['/a', 'b']"], 'quote': ["'it''s'", "'simple'"], 'regex_replace("o", "0")': ['s'],
        'regex_replace("(\\\\w+) (\\\\w+)", "\\\\2 \\\\1")': ['s'], 'regex_search("W\\\\w+")': ['s'], 'regex_findall("[aeiou]")': ['s'],
        'regex_escape': ["'a.b*c'"], 'ternary("y", "n")': ['flag', 'zero'], 'combine({"b": 2})': ['d'], 'combine({"a": {"y": 1}}, recursive=true)': ['d'],
        'dict2items': ['ports'], 'items2dict': ["[{'key': 'a', 'value': 1}]"], 'flatten': ['nested'], 'flatten(levels=1)': ['nested'],
        'hash("sha1")': ['s'], 'hash("md5")': ['s'], 'checksum': ['s'], 'md5': ['s'], 'sha1': ['s'], 'mandatory': ['s'], 'comment': ['s'],
        'type_debug': ['n', 's', 'd', 'nums', 'none', 'f', 'flag'], 'to_uuid': ['s'], 'product(["x", "y"]) | list': ['words'],
        'permutations(2) | list': ["[1, 2, 3]"], 'combinations(2) | list': ["[1, 2, 3]"], 'zip(["a", "b"]) | list': ['nums'],
        'zip_longest([1], fillvalue=0) | list': ["['a', 'b']"], 'unique': ['nums'], 'union([9, 10])': ['nums'], 'intersect([1, 9, 11])': ['nums'],
        'difference([1, 3])': ['nums'], 'symmetric_difference([1, 99])': ['nums'], 'log': ['n'], 'log(10)': ['100'], 'pow(3)': ['n'],
        'root': ['n'], 'root(3)': ['27'], 'human_readable': ['1048576', '1'], 'human_to_bytes': ["'1.5K'", "'2G'"], 'split(",")': ['csv'],
        'split': ['s'], 'urlsplit': ['url'], 'urlsplit("hostname")': ['url'], 'subelements("groups") | length': ['users'],
        'extract(d)': ["'b'"], 'password_hash("sha512", "saltsalt")': ["'secret'"],
    }
    for flt, inputs in filters.items():
        for i in inputs:
            add('{{ %s | %s }}' % (i, flt))
    tests = ['defined', 'undefined', 'none', 'boolean', 'true', 'false', 'integer', 'float', 'number', 'string', 'mapping',
             'sequence', 'iterable', 'even', 'odd', 'lower', 'upper', 'truthy', 'falsy', 'abs', 'nan']
    for t, v in itertools.product(tests, VALUES + ['nosuch', "'UP'", "'/x'"]):
        add('{{ %s is %s }}' % (v, t))
    for expr in ["n is divisibleby 7", "n is divisibleby(3)", "n is eq 7", "n is ne 7", "n is lt 8", "n is gt 8", "n is le 7",
                 "n is ge 8", "n is in [7]", "none is sameas none", "s is match('Hel')", "s is search('World')", "s is regex('o W')",
                 "'2.10' is version('2.9', '>')", "ver is version('2.10.3', 'eq')", "'1.0' is version_compare('1.1', '<')",
                 "[1] is subset(nums)", "nums is superset([1, 3])", "nums is contains(9)", "[0, 1] is any", "[1, 1] is all",
                 "{'failed': true} is failed", "{'failed': false} is succeeded", "{'changed': true} is changed",
                 "{'skipped': true} is skipped", "{} is finished", "{} is started", "'/etc' is directory", "'/etc/hostname' is file",
                 "'/nope' is exists", "'x' is abs", "s is not string", "n is not none", "users is sequence", "d is not mapping"]:
        add('{{ %s }}' % expr)
    methods = ["s.upper()", "s.lower()", "s.split()", "s.split('o')", "s.split('o', 1)", "s.rsplit('o', 1)", "csv.split(',')",
               "'  x '.strip()", "'xxhixx'.strip('x')", "' x'.lstrip()", "'x '.rstrip()", "s.startswith('Hell')", "s.endswith(('x', 'd'))",
               "s.replace('l', 'L')", "s.find('o')", "s.rfind('o')", "s.index('W')", "s.count('l')", "', '.join(words)", "'{}-{}'.format(1, 2)",
               "'{a}'.format(a=3)", "s.title()", "'hello'.capitalize()", "'42'.isdigit()", "'ab'.isalpha()", "text.splitlines()", "s[1:4]",
               "s[::-1]", "s[-3:]", "nums[2:]", "nums[::2]", "nums.index(4)", "d.keys() | list", "d.values() | list",
               "d.items() | list", "d.get('b')", "d.get('zz', 'dflt')", "d['a']['x'][1]", "d.a.x.0", "users[1].name", "'x'.zfill(3)",
               "'ab'.center(6, '*')", "'ab'.ljust(4) ~ '|'", "'ab'.rjust(4)", "s.partition(' ')", "'%s is %d' % ('n', n)", "'%05.1f' % f",
               "'%-5s|' % 'ab'", "'%x %o %X' % (255, 8, 255)", "'%r' % s", "'%(a)s' % {'a': 1}", "'x' * 3", "[0] * 3", "(1, 2) | list",
               "range(4) | list", "range(2, 10, 3) | list", "dict(a=1, b=2)", "lipsum is defined", "ref", "ref2", "{'a': 1} == {'a': 1}",
               "[1, 2] < [1, 3]", "'a' < 'b' < 'c'", "1 < 2 > 1", "n if flag else 0", "n if not flag", "(n > 3) and (n < 10)",
               "n // 2 * 2 + n % 2", "2 ** 0.5", "10 / 4", "7.0 // 2", "-7 % 3", "1e3", "1.5e-3", "0.1 + 0.2", "100 * 1.1", "1 / 3"]
    for m in methods:
        add('{{ %s }}' % m)
    stmts = [
        ("{% for w in words %}{{ loop.index }}:{{ w }}{{ ',' if not loop.last }}{% endfor %}", None),
        ("{% for w in words|sort %}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{% endfor %}", None),
        ("{% for x in [] %}a{% else %}empty{% endfor %}", None),
        ("{% for k, v in ports.items() %}{{ k }}={{ v }};{% endfor %}", None),
        ("{% for u in users if u.admin %}{{ u.name }}{% endfor %}", None),
        ("{% for i in range(5) %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}", None),
        ("{% for i in range(5) %}{% if i is odd %}{% continue %}{% endif %}{{ i }}{% endfor %}", None),
        ("{% for x in nums %}{{ loop.cycle('a', 'b') }}{% endfor %}", None),
        ("{% for x in nums %}{% if loop.changed(x > 2) %}|{% endif %}{{ x }}{% endfor %}", None),
        ("{% for x in nums %}{{ loop.previtem|default('-') }}{% endfor %}", None),
        ("{% for row in nested recursive %}[{% if row is iterable %}{{ loop(row) }}{% else %}{{ row }}{% endif %}]{% endfor %}", None),
        ("{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.depth }}{{ a }}{{ b }}{% endfor %}{% endfor %}", None),
        ("{% set x = 5 %}{% for i in [1] %}{% set x = 9 %}{% endfor %}{{ x }}", None),
        ("{% set ns = namespace(c=0) %}{% for i in nums %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}", None),
        ("{% set a, b = 1, 2 %}{{ a + b }}", None),
        ("{% set block %}inner {{ n }}{% endset %}[{{ block }}]", None),
        ("{% set up | upper %}shout{% endset %}{{ up }}", None),
        ("{% macro greet(name, greeting='Hi') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('ann') }} {{ greet('bob', greeting='Yo') }}", None),
        ("{% macro m() %}{{ varargs }}{% endmacro %}{{ m(1, 2) }}", None),
        ("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}body{% endcall %}", None),
        ("{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}", None),
        ("{% filter upper %}quiet {{ s }}{% endfilter %}", None),
        ("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}", None),
        ("{% raw %}{{ raw }} {% if %}{% endraw %}", None),
        ("{# a comment #}visible", None),
        ("{% if n > 10 %}big{% elif n > 5 %}medium{% else %}small{% endif %}", None),
        ("{% if none %}a{% elif empty %}b{% endif %}c", None),
        ("a\n{% if true %}\nb\n{% endif %}\nc\n", None),
        ("  {%- if true %} x {% endif -%}  \ny", None),
        ("{{ 'a' -}}   \n   {{- 'b' }}", None),
        ("{% for i in [1, 2] -%}\n  {{ i }}\n{%- endfor %}", None),
        ("{% do nums.append(1) %}{{ 1 }}", None),
        ("{{ s|length > 5 and s|lower == 'hello world' }}", None),
        ("{{ users|selectattr('age', '>=', 31)|map(attribute='name')|join(', ') }}", None),
        ("{% if %}", None), ("{% for x in %}{% endfor %}", None), ("{{ 1 + }}", None), ("{% endif %}", None),
        ("{{ nosuch }}", None), ("{{ d.nosuch }}", None), ("{{ d.nosuch.deeper }}", None), ("{{ nums[99] }}", None),
        ("{{ nosuch | default(d.b) }}", None), ("{{ (d.nosuch | default({})).x | default('deep') }}", None),
        ("{% for x in nosuch %}{% endfor %}", None), ("{{ 'a' + 1 }}", None), ("{{ n | int + 'x' }}", None),
        ("{{ lookup('items', [1, 2], wantlist=True) }}", None), ("{{ query('list', 1, 2) }}", None), ("{{ lookup('list', 'one') }}", None),
        ("{{ q('indexed_items', words) }}", None), ("{{ q('dict', ports) }}", None), ("{{ q('together', [1, 2], ['a']) }}", None),
        ("{{ q('nested', [1, 2], ['a', 'b']) }}", None), ("{{ q('sequence', 'start=2 end=10 stride=4') }}", None),
        ("{{ q('sequence', 'count=3 format=host%02d') }}", None), ("{{ q('subelements', users, 'groups') | length }}", None),
        ("{{ lookup('vars', 'n') }}", None), ("{{ lookup('vars', 'nosuch', default='dv') }}", None), ("{{ q('varnames', '^use') }}", None),
        ("{{ lookup('env', 'SWANSIBLE_CORPUS_ENV') }}", None), ("{{ lookup('env', 'SWANSIBLE_NO_SUCH', default='d') }}", None),
        ("{{ lookup('file', 'note.txt') }}", None), ("{{ lookup('template', 'small.j2') }}", None),
        ("{{ lookup('csvfile', 'db file=services.csv delimiter=, col=1') }}", None), ("{{ lookup('ini', 'port section=db file=settings.ini') }}", None),
        ("{{ lookup('pipe', 'echo piped') }}", None), ("{{ q('lines', 'printf \"a\\nb\"') }}", None),
        ("{{ lookup('first_found', ['nope.txt', 'note.txt']) | basename }}", None),
        ("{{ lookup('password', '/dev/null length=12') | length }}", None), ("{{ lookup('random_choice', 'only') }}", None),
        ("{{ lookup('config', 'DEFAULT_TIMEOUT') }}", None), ("{{ [5] | random }}", None), ("{{ 1 | random }}", None),
        ("{{ [3] | shuffle }}", None), ("{{ '%Y-%m-%d %H:%M' | strftime(86400 * 365, utc=true) }}", None),
        ("{{ '2016-08-14 20:00:12' | to_datetime }}", None),
        ("{{ (('2016-08-14 20:00:12' | to_datetime) - ('2016-08-04 18:00:00' | to_datetime)).days }}", None),
        ("{{ (('2016-08-14 20:00:12' | to_datetime) - ('2016-08-14 18:00:00' | to_datetime)).seconds }}", None),
        ("{{ (('2016-08-14 20:00:12' | to_datetime) - ('2016-08-14 18:00:00' | to_datetime)).total_seconds() }}", None),
        ("{{ (('2016-08-14 20:00:12' | to_datetime) - ('2016-08-04 18:00:00' | to_datetime)) }}", None),
        ("{{ ('20160814' | to_datetime('%Y%m%d')).year }}", None), ("{{ ('20160814' | to_datetime('%Y%m%d')).strftime('%d/%m/%Y') }}", None),
        ("{{ 'x' | to_datetime }}", None),
        # 2.19's undefined markers: an undefined item stays inside data until something uses it.
        ("{{ [nosuch] | length }}", None), ("{{ [nosuch] }}", None), ("{{ [nosuch, 1][1] }}", None), ("{{ [nosuch][0] is defined }}", None),
        ("{{ [nosuch] | first | default('d') }}", None), ("{{ [nosuch] | map('default', 'z') | list }}", None),
        ("{{ {'a': nosuch} | length }}", None), ("{{ {'a': nosuch}.a | default(5) }}", None), ("{{ {'a': nosuch} }}", None),
        ("{{ [nosuch, 2] | select('defined') | list }}", None), ("{{ [nosuch, 2] | reject('undefined') | list }}", None),
        ("{{ [nosuch] | join(',') }}", None), ("{{ ([nosuch] + [1]) | length }}", None), ("{{ [nosuch] == [1] }}", None),
        ("{% for x in [nosuch, 1] %}{{ x is defined }}{% endfor %}", None), ("{% for x in [nosuch] %}{{ x }}{% endfor %}", None),
        ("{{ [nosuch | upper] | length }}", None), ("{{ [d.nosuch] | length }}", None), ("{{ [nosuch] | zip([1]) | list | length }}", None),
        ("{{ [nosuch] | sort }}", None), ("x{{ [nosuch] }}", None), ("{{ [[nosuch]] | flatten | length }}", None),
        ("{{ lookup('items', [nosuch]) }}", None), ("{{ lookup('list', nosuch) is undefined }}", None),
        ("{{ [nosuch] | list | length }}", None), ("{{ [nosuch] | reverse | list | length }}", None), ("{{ [nosuch] | last | default(1) }}", None),
        ("{{ [{'a': nosuch}] | zip([1]) | list | length }}", None), ("{{ [nosuch] | unique | length }}", None), ("{{ [nosuch] | count }}", None),
        ("{{ [nosuch] | select | list }}", None), ("{{ [nosuch, 1] | map('string') | list | length }}", None),
        ("{{ [[nosuch]] | first | length }}", None), ("{{ [[nosuch]] | map('first') | list | length }}", None), ("{{ [nosuch] | to_json }}", None),
        ("{{ [nosuch] | reverse | first | default(3) }}", None), ("{{ [nosuch] | zip_longest([1]) | list | length }}", None), ("{{ ('2016-08-14 20:00:12' | to_datetime) > ('2016-01-01 00:00:00' | to_datetime) }}", None), ("{{ q('fileglob', '*.csv') | map('basename') | list }}", None),
    ]
    for t, o in stmts:
        add(t)
    # Seeded random as Python's Random (cron minutes spread by host name), and filters' edges:
    # markers given to ternary/mandatory, combine's forms, codecs, YAML options and folding.
    for expr in ["59 | random(seed='web01')", "59 | random(seed='db-2.example.com')", "100 | random(seed=1337)", "10 ** 12 | random(seed=5)",
                 "100 | random(start=10, step=5, seed=7)", "words | random(seed=3)", "1000 | random(seed=2.5)", "1000 | random(seed=-4)",
                 "nums | shuffle(seed='x')", "nums | shuffle(seed=[1])", "'abc' | shuffle(seed=42)", "22 | shuffle", "none | random", "[1, 2] | random(start=1)",
                 "true | ternary('a', nosuch)", "false | ternary(nosuch, 'b')", "none | ternary(nosuch, nosuch, 'n')", "true | ternary(nosuch, 1)",
                 "nosuch | mandatory", "nosuch | mandatory('custom')", "n | mandatory", "undef()", "undef('hint') | default('d')",
                 "[undef('x')] | length", "[d] | combine", "[d, ports] | combine", "none | combine", "d | combine(ports, foo=1)", "[1, 2] | combine",
                 "d | combine({'a': {'x': [3]}}, recursive=true, list_merge='append_rp')", "d | combine(ports, list_merge='bogus')",
                 "[1, 'None', [2, 'null', none]] | flatten", "[1, 'None', [2, none]] | flatten(skip_nulls=false)",
                 "s | b64encode(encoding='utf-16-le')", "'SABlAGwAbABvAA==' | b64decode(encoding='utf-16-le')", "'é' | b64encode(encoding='latin-1')",
                 "'https://x.org/?a=1' | b64encode(urlsafe=true)", "'SGk' | b64decode", "'SGk=' | b64decode", "'S' | b64decode", "s | b64encode(encoding='bogus')",
                 "'%Y-%m-%d' | strftime('1585247522.0', utc=true)", "'%Y' | strftime('soon')", "none | from_yaml_all", "none | from_yaml",
                 "none | quote", "'é x' | quote", "']]^' | regex_escape(re_type='posix_basic')", "'x' | regex_escape(re_type='posix_extended')",
                 "s | to_uuid(namespace='{12345678-1234-5678-1234-567812345678}')", "s | to_uuid(namespace='bogus')",
                 "'x' | password_hash('sha512', 'salt', rounds=1000)", "'x' | password_hash('sha512', rounds=1)", "'x' | password_hash('msdcc')",
                 "'x' | password_hash('blowfish', '1234567890123456789012', ident='2a')", "'x' | password_hash('md5', 'sa!t')",
                 "'x' | password_hash('sha256', salt_size=[3])", "[1] | items2dict", "'ab' | items2dict", "[{'key': 1}] | items2dict",
                 "['a', 1] | path_join", "5 | path_join", "true | subelements('x')", "users | subelements(['groups'])",
                 "users | subelements('nope', skip_missing=true)", "users | subelements('name')", "d | subelements(17)",
                 "s | regex_search('(?P<w>W)(o)', '\\\\g<w>', '\\\\2')", "s | regex_search('o', 'bad')", "s | regex_search('o', '\\\\gx')",
                 "'a=b=c' | regex_replace('=', ':', mandatory_count=2)", "'a=b=c' | regex_replace('=', ':', mandatory_count=1)",
                 "'x' | comment('bogus')", "{'k': 'word ' * 30} | to_nice_yaml", "{'k': 'word ' * 30} | to_yaml(width=1000)",
                 "d | to_yaml(default_flow_style=false)", "d | to_yaml(default_flow_style=true)", "ports | to_yaml(sort_keys=false)",
                 "'thing' | to_yaml(canonical=true)", "'thing' | to_yaml(default_style='|')", "d | to_yaml(explicit_start=true, explicit_end=true)",
                 "'x' | to_yaml(nonexistent=1)", "{'a': 'x\\ny', 'b': '123', 'c': 'yes', 'd': '', 'e': '2020-01-01', 'f': '=', 'g': ' l'} | to_nice_yaml",
                 "[[1, [2]], {'a': [{'b': 1}]}] | to_nice_yaml(indent=2)", "{'a': 1e20, 'b': 0.5} | to_yaml", "{2: 'a', 1: 'b'} | to_yaml"]:
        add('{{ %s }}' % expr)
    for name in sorted(p.name for p in (HERE / 'files').glob('*.conf.j2')):
        src = (HERE / 'files' / name).read_text()
        for opts in ({}, {'lstrip_blocks': True}, {'trim_blocks': False}):
            add(src, file=name, options=opts)
    # Tuples: Python's inside an expression (str(), type_debug, equality, hashing), lists once finalised.
    for expr in ["(1, 2) | string", "(1,) | string", "() | string", "(1, 2) | type_debug", "(1, 2) == [1, 2]", "(1, 2) == (1, 2)",
                 "(1, 2) != [1, 2]", "d.items() | list | string", "d | items | list | string", "nums | zip(words) | list | string",
                 "[1, 2] | product([3]) | list | string", "[1, 2] | permutations | list | string", "[1, 2, 3] | combinations(2) | list | string",
                 "d | dictsort | string", "users | groupby('admin') | string", "(users | groupby('admin'))[0] | type_debug",
                 "(users | groupby('admin'))[1].grouper", "(users | groupby('admin'))[1].list | length", "('a', [1]).grouper",
                 "'a=b'.partition('=') | string", "'a=b=c'.rpartition('=') | string", "'ab'.partition('=') | string",
                 "'ab'.rpartition('=') | string", "'ab'.partition('')", "((1, 2) + (3,)) | string", "(1, 2) + [3]", "[3] + (1, 2)",
                 "(1, 2, 3)[1:] | string", "((1, 2) * 2) | string", "(2 * (1,)) | string", "(1, 2) | to_json", "(1, 2) | to_yaml",
                 "users | groupby('admin') | to_json", "users | groupby('admin') | to_yaml", "[(2, 1), (1, 2)] | sort | string",
                 "[(1, 'a'), [1, 'a']] | sort", "(3, 1) | sort | string", "'%s-%s' % (1, 2)", "'%s' % [1, 2]", "'%s %s' % [1, 2]",
                 "'%s' % ((1, 2),)", "'x' % [1]", "'%d-%d' | format(1, 2)", "'{}'.format((1, 2))", "'{0[1]}'.format((1, 2))",
                 "(1, 2) | pprint", "(1, 2).index(2)", "(1, 2).index(3)", "(1, 2, 2).count(2)", "(1, 2).append(3)", "(1, 2).copy()",
                 "{'a': (1, 2)} | string", "{(1, 2): 'x'}", "{(1, 2): 'x'}[(1, 2)]", "(1, 2) in {(1, 2): 'x'}", "[1, 2] in {(1, 2): 'x'}",
                 "[1, 2] | zip_longest([3]) | list | string", "users | subelements('groups') | first | type_debug",
                 "users | subelements('groups') | string", "'a=1 b=2' | regex_findall('(\\w)=(\\d)') | string", "path | splitext | string",
                 "'x' | splitext | string", "[(1, 2), (1, 2)] | unique | string", "[(1, 2)] | union([[1, 2]]) | string",
                 "[(1, 2), (3, 4), (2, 1), (5, 0), (1, 2)] | union([]) | string", "[(1, 2), (3, 4)] | intersect([(3, 4)]) | string",
                 "(1, 2) < (1, 3)", "(1, 2) < [1, 3]", "(1, 2) <= (1, 2)", "1 in (1, 2)", "(1, 2) | first", "(1, 2) | last", "(1, 2) | length",
                 "(1, 2) | join(',')", "(1, 2) | max", "(1, 2) | sum", "(1, 2) | list | string", "(1, 2) | list | type_debug",
                 "(1, 2) | reverse | list | string", "(1, 2, 1) | unique | string", "(1, 2) | map('string') | list", "(1, 2) is sequence",
                 "(1, 2) is iterable", "(1, 2) is string", "(1, 2) is mapping", "dict([('a', 1)])", "dict(d.items())", "dict(zip(words, nums))",
                 "[(1, 2), [3]] | flatten", "[(1, 2), (3, 4)] | map('first') | list", "(1, 2) | batch(1) | list | string",
                 "(1, 2, 3) | slice(2) | list | string", "s.endswith(['d'])", "s.startswith(('H', 'x'))", "s.startswith(1)",
                 "(1, 2) | select | list", "(1, 2) | ansible.builtin.shuffle(seed=3) | string", "(1, 2) | random in (1, 2)",
                 "((1, 2) | string)[0]", "(1, 2) ~ ''", "[(1, 2)] | to_json", "(1, 2) | to_nice_json", "[1, 2] | zip([3]) | first | type_debug",
                 "(1, 'a') | min", "d.items() | selectattr('1') | list", "users | groupby('admin') | map(attribute='grouper') | list",
                 "users | groupby('admin') | selectattr('grouper') | map(attribute='list') | first | length",
                 "(users | groupby('admin') | first) == (false, [users[1], users[2]])", "(1, 2) | urlencode", "[('a', 1)] | urlencode",
                 "(1, 2) | symmetric_difference([(1, 2)]) | string", "(1, 2) | path_join"]:
        add('{{ %s }}' % expr)
    # Ints against floats compare exactly, as Python's float_richcompare; %c and {:c} past a code point.
    for expr in ["2**53 + 1 == 2.0**53", "2**53 + 1 > 2.0**53", "9007199254740993 < 9007199254740992.5", "2**64 == 2.0**64",
                 "2**64 + 1 > 2.0**64", "10**400 > 1e308", "10**400 < 1e308 * 10", "-(10**400) > -1e308 * 10",
                 "[2**53 + 1, 2.0**53] | max", "[2.0**53, 2**53 + 1] | min", "2**53 + 1 in [2.0**53]", "[2**53 + 1, 2.0**53] | unique | length",
                 "9223372036854775807 == 9223372036854775808.0", "9223372036854775807 < 9223372036854775808.0",
                 "-9223372036854775808 == -9223372036854775808.0", "true == 1.0", "-3 > -3.5", "2**70 >= 2.0**70", "[3, 2.5, 2**60, 1e20] | sort",
                 "'{:c}'.format(2**70)", "'{:c}'.format(2**31)", "'{:c}'.format(-1)", "'%c' % 2**70", "'%c' % 65", "'{:c}'.format(97)",
                 "'%c' % 55296 | length", "'%c' % 'ab'"]:
        add('{{ %s }}' % expr)
    # urlize: Jinja2's rules for addresses, punctuation and brackets around them, and its options.
    for text in ["see http://example.com.", "(www.example.org/path?q=1)", "mail me: ann@example.com, or mailto:bob@x.org",
                 "<https://x.io/a_(b)>", "example.com and foo.bar", "https://192.168.0.1:8080/x and http://[::1]/",
                 "a & b <c> 'q' \"d\"", "@a@b x@y www.x@y.com", "line1 https://a.example.com/\nline2", "((http://x.com/a))).",
                 "ftp://files.example.com", "https://xn--bcher-kva.example/", "ünïcode https://exämple.com/ä", ""]:
        add('{{ %r | urlize }}' % text)
    for args in ["10", "trim_url_limit=5", "nofollow=true", "target='_blank'", "rel='ext me'", "extra_schemes=['ftp:']",
                 "extra_schemes=['x']", "none, true, '_top', 'a'"]:
        add("{{ 'go to https://www.example.com/some/long/path now ftp://f.org' | urlize(%s) }}" % args)
    add("{{ 42 | urlize }}")
    for template in ["x{{ (1, 2) }}y", "x{{ d | dictsort }}y", "x{{ users | groupby('admin') | map(attribute='grouper') | list }}y",
                     "x{{ users | groupby('admin') | first }}y", "x{{ nums | zip(words) | list }}y", "{{ (1, 2) }}{{ (3,) }}",
                     "{% set t = (1, 2) %}{{ t | type_debug }} {{ t }} {{ t | string }}",
                     "{% macro m() %}{{ varargs | string }} {{ varargs | type_debug }}{% endmacro %}{{ m(1, 2) }}",
                     "{% for a, b in d | dictsort %}{{ a }}={{ b }} {% endfor %}", "{% for a, b in nums | zip(words) %}{{ a }}{{ b }}{% endfor %}",
                     "{% for g in users | groupby('admin') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join(',') }} {% endfor %}",
                     "{{ 1, 2 }}", "{% for x in 1, 2 %}{{ x }}{% endfor %}"]:
        add(template)
    return out


def main():
    results = []
    for i, (template, kw) in enumerate(cases()):
        case = {'id': i, 'template': template}
        if kw.get('file'):
            case['file'] = kw['file']
            case['options'] = kw['options']
        case.update(render(template, file_mode=bool(kw.get('file')), options=kw.get('options')))
        results.append(case)
    (HERE / 'vars.json').write_text(json.dumps(VARS, indent=1) + '\n')
    (HERE / 'cases.json').write_text(json.dumps(results, indent=0, ensure_ascii=False) + '\n')
    errors = sum(1 for r in results if 'error' in r)
    print(f'{len(results)} cases ({errors} expected errors) written to {HERE / "cases.json"}')


if __name__ == '__main__':
    main()

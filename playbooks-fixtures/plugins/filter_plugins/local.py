# A user's filters kept next to the playbook.
from ansible.errors import AnsibleFilterError


def pairs(d, sep='='):
    return ['%s%s%s' % (k, sep, v) for k, v in sorted(d.items())]


def boom(x):
    raise AnsibleFilterError('it went boom on %s' % x)


class FilterModule(object):
    def filters(self):
        return {'double': lambda x: x * 2, 'pairs': pairs, 'boom': boom, 'uniq_set': lambda xs: set(xs),
                'encoded': lambda s: s.encode()}

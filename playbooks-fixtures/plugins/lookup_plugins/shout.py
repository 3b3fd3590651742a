# A lookup that reads files the way Ansible's own do (search paths) and sees the host's variables.
from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        out = []
        for term in terms:
            path = self.find_file_in_search_path(variables, 'files', term, ignore_missing=True)
            if path is None:
                raise AnsibleLookupError('no file %s' % term)
            with open(path) as f:
                out.append(f.read().strip().upper() + kwargs.get('end', variables.get('suffix', '')))
        return out

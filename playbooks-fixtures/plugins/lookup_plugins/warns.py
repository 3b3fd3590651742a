# A lookup that warns through Ansible's display: the warning shows as the run's own.
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        Display().warning('the warns lookup was given %d terms' % len(terms))
        return list(terms)

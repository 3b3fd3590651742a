# Returns its last term, never reading the others (as 2.19 lets a plugin leave terms lazy).
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    accept_args_markers = True

    def run(self, terms, variables=None, **kwargs):
        return [terms[-1].upper()]

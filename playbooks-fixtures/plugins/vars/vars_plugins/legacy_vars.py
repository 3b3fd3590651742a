from __future__ import annotations

from ansible.inventory.host import Host
from ansible.plugins.vars import BaseVarsPlugin


class VarsModule(BaseVarsPlugin):
    """Per group and host: which entities it was asked about at which dir."""

    def get_vars(self, loader, path, entities, cache=True):
        super().get_vars(loader, path, entities)
        data = {}
        for e in entities:
            if isinstance(e, Host):
                data['legacy_host'] = '%s@%s' % (e.name, path.rsplit('/', 1)[-1])
            else:
                data['legacy_groups'] = data.get('legacy_groups', []) + [e.name]
                data['shadowed'] = 'plugin for %s' % e.name
        return data

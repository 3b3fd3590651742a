from __future__ import annotations

DOCUMENTATION = """
    name: coll_vars
    short_description: gives coll_var
    options:
      stage:
        ini:
          - key: stage
            section: ns.coll.coll_vars
        env:
          - name: ANSIBLE_VARS_PLUGIN_STAGE
    extends_documentation_fragment:
      - vars_plugin_staging
"""

from ansible.inventory.host import Host
from ansible.plugins.vars import BaseVarsPlugin


class VarsModule(BaseVarsPlugin):
    def get_vars(self, loader, path, entities, cache=True):
        super().get_vars(loader, path, entities)
        return {'coll_var': '{{ 6 * 7 }}'} if any(isinstance(e, Host) for e in entities) else {}

from __future__ import annotations

DOCUMENTATION = """
    name: coll_inv
    options:
      plugin:
        description: the plugin's name
        required: true
      hostname:
        description: the host
"""

from ansible.plugins.inventory import BaseInventoryPlugin


class InventoryModule(BaseInventoryPlugin):
    NAME = 'ns.coll.coll_inv'
    trusted_by_default = True

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        name = self.get_option('hostname')
        self.inventory.add_host(name)
        self.inventory.set_variable(name, 'templated', '{{ 6 * 7 }}')
        self.inventory.set_variable(name, 'ansible_connection', 'local')

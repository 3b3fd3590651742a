from __future__ import annotations

DOCUMENTATION = """
    name: counted
    options:
      plugin:
        description: the plugin's name
        required: true
      counter:
        description: the file counting the reads that did not come from the cache
    extends_documentation_fragment:
      - inventory_cache
"""

import os

from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable


class InventoryModule(BaseInventoryPlugin, Cacheable):
    """One host, named by how many times the source was read rather than taken from the cache."""
    NAME = 'counted'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith('.counted.yml')

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update = self.get_option('cache') and not cache
        name = None
        if use_cache:
            try:
                name = self._cache[key]
            except KeyError:
                update = True
        if name is None:
            counter = self.get_option('counter')
            n = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
            with open(counter, 'w') as f:
                f.write(str(n))
            name = 'counted%d' % n
        if update:
            self._cache[key] = name
        self.inventory.add_host(name)
        self.inventory.set_variable(name, 'ansible_connection', 'local')

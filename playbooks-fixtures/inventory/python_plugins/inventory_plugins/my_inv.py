from __future__ import annotations

DOCUMENTATION = """
    name: my_inv
    options:
      plugin:
        description: the plugin's name
        required: true
      count:
        description: how many hosts
        type: int
        default: 2
      fail:
        description: fail while parsing
        type: bool
        default: false
    extends_documentation_fragment:
      - constructed
"""

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable


class InventoryModule(BaseInventoryPlugin, Constructable):
    NAME = 'my_inv'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith('.my.yml')

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if self.get_option('fail'):
            try:
                raise ValueError('the inner trouble')
            except ValueError as e:
                raise AnsibleParserError('my_inv could not read it') from e
        self.inventory.add_group('dyn')
        self.inventory.set_variable('dyn', 'dyn_var', 'from the group')
        self.inventory.add_child('all', 'dyn')
        for n in range(self.get_option('count')):
            name = 'dyn%d' % n
            self.inventory.add_host(name, group='dyn')
            self.inventory.set_variable(name, 'ansible_connection', 'local')
            self.inventory.set_variable(name, 'raw_text', '{{ not_rendered }}')
            self.inventory.set_variable(name, 'data', {'n': n, 'tags': ['x', 'y']})
            self._set_composite_vars(self.get_option('compose'), self.inventory.get_host(name).get_vars(), name, strict=True)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), self.inventory.get_host(name).get_vars(), name)
        # A host an earlier source made, seen here with its variables.
        for h in list(self.inventory.hosts):
            if self.inventory.get_host(h).get_vars().get('os') == 'debian':
                self.inventory.add_group('seen_debian')
                self.inventory.add_host(h, group='seen_debian')

#!/usr/bin/python
# Echoes an int argument and returns ints past 64 bits: they cross the agent both ways as JSON.
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec=dict(n=dict(type='int', required=True)))
module.exit_json(changed=False, doubled=module.params['n'] * 2, power=2 ** 100, negative=-(2 ** 64))

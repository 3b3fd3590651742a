#!/usr/bin/python
# A module each role ships under the same name: which one runs tells the search order.
from ansible.module_utils.basic import AnsibleModule

AnsibleModule(argument_spec={}).exit_json(changed=False, location='role: lib_second')

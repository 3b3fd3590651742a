#!/usr/bin/python
# A module that deprecates things: the registered result keeps each deprecation as 2.19 shows it
# (msg, collection_name, version or date, deprecator).
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec={})
module.deprecate('the old way is going', version='2.0.0', collection_name='my.coll')
module.deprecate('so is this', date='2030-01-01', collection_name='ansible.builtin')
module.deprecate("this module's own", version='9.9')   # its deprecator: ansible.legacy.deprecating
module.exit_json(changed=False)

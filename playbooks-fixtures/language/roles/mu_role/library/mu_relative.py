#!/usr/bin/python
# A role's module reaching the role's module_utils by a relative import.
from ..module_utils.basic import AnsibleModule
from ..module_utils.mu_roleutil import forty_two

AnsibleModule(argument_spec={}).exit_json(answer=forty_two())

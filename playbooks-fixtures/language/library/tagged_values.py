#!/usr/bin/python
# A 2.19 module that returns a value with a data tag (Deprecated): sent as a tagged object, read
# back as the value itself.
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.datatag import deprecate_value

module = AnsibleModule(argument_spec={})
module.exit_json(changed=False, something_old=deprecate_value('an old thing', msg='`something_old` is going', version='9.9'),
                 nested={'list': [deprecate_value(3, msg='three is going', version='9.9')]})

#!/usr/bin/python
# Respawns itself under the same Python: once is allowed, a second time fails as Ansible says.
import sys

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.respawn import has_respawned, respawn_module

module = AnsibleModule(argument_spec=dict(times=dict(type='int', default=1)))
if not has_respawned() or module.params['times'] > 1:
    respawn_module(sys.executable)
module.exit_json(respawned=has_respawned(), itself=getattr(sys.modules['__main__'], 'AnsibleModule', None) is AnsibleModule)

#!/usr/bin/python
# A module importing module_utils of the user's own: a file and a package beside the playbook.
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mu_mine import value
from ansible.module_utils.mu_pkg.sub import other


def main():
    AnsibleModule(argument_spec={}).exit_json(value=value(), other=other())


main()

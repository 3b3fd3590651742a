#!/usr/bin/python
# A module found only through -M / --module-path (ANSIBLE_LIBRARY).
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(name=dict(type='str', required=True)))
    module.exit_json(changed=False, greeting='hello %s' % module.params['name'])


if __name__ == '__main__':
    main()

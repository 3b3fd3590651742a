#!/usr/bin/python
# A collection module, called by its short name where `collections:` names acme.tools.
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(text=dict(type='str', required=True)))
    module.exit_json(changed=False, loud=module.params['text'].upper())


if __name__ == '__main__':
    main()

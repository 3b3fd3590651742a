#!/usr/bin/python
# A module that tags some of its return values with 2.19's deprecate_value.
from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.datatag import deprecate_value


def main():
    module = AnsibleModule(argument_spec={'n': dict(type='int', default=1)})
    module.exit_json(
        changed=False,
        color_name=deprecate_value('blue', 'The `color_name` return value is deprecated.', version='9.0'),
        size=deprecate_value(42, '`size` is deprecated.', date='2030-01-01', help_text='Use `size_bytes` instead.'),
        shape=deprecate_value({'sides': 4}, '`shape` is going away.', version='4.0', collection_name='community.general'),
        # 2.19 loses the tag of a list: never reported.
        tags=deprecate_value(['a', 'b'], '`tags` is going away.', version='3.0'),
        nested={'inner': deprecate_value('deep', 'the inner value is deprecated', version='5.0')},
        plain='fine',
    )


if __name__ == '__main__':
    main()

#!/usr/bin/python
# run_command with and without its umask: the umask the command runs under, and a file's mode.
import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(umask=dict(type='raw'), path=dict(type='path', required=True)))
    umask = module.params['umask']
    kwargs = {'umask': int(umask, 8)} if umask else {}
    rc, out, err = module.run_command(['sh', '-c', 'umask; touch "$1"', 'sh', module.params['path']], **kwargs)
    mode = oct(os.stat(module.params['path']).st_mode & 0o777)
    os.unlink(module.params['path'])
    module.exit_json(changed=False, rc=rc, umask=out.strip(), mode=mode)


if __name__ == '__main__':
    main()

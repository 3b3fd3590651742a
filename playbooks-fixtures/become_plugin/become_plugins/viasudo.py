# A user's become plugin (as community.general's dzdo or sudosu are): sudo, with a mark in the
# environment so a task can tell that this plugin's command ran it.
DOCUMENTATION = """
    name: viasudo
    short_description: sudo, leaving VIA_SUDO in the environment
    description: Runs the command with sudo as the become user, VIA_SUDO=1 set.
    author: swansible
    options:
        become_user:
            description: The user to become.
            default: root
            ini:
              - {section: privilege_escalation, key: become_user}
              - {section: viasudo_become_plugin, key: user}
            vars:
              - {name: ansible_become_user}
              - {name: ansible_viasudo_user}
            env:
              - {name: ANSIBLE_BECOME_USER}
              - {name: ANSIBLE_VIASUDO_USER}
            keyword:
              - {name: become_user}
        become_flags:
            description: sudo's options.
            default: -H -S
            vars:
              - {name: ansible_become_flags}
              - {name: ansible_viasudo_flags}
            keyword:
              - {name: become_flags}
        become_pass:
            description: The password sudo asks for.
            required: false
            vars:
              - {name: ansible_become_password}
              - {name: ansible_become_pass}
              - {name: ansible_viasudo_pass}
            env:
              - {name: ANSIBLE_BECOME_PASS}
              - {name: ANSIBLE_VIASUDO_PASS}
"""
from ansible.plugins.become import BecomeBase


class BecomeModule(BecomeBase):
    name = 'viasudo'
    fail = ('Sorry, try again.',)
    missing = ('Sorry, a password is required to run sudo', 'sudo: a password is required')

    def build_become_command(self, cmd, shell):
        super(BecomeModule, self).build_become_command(cmd, shell)
        if not cmd:
            return cmd
        flags = self.get_option('become_flags').split()
        if self.get_option('become_pass'):
            self.prompt = '[viasudo via ansible, key=%s] password:' % self._id
            flags += ['-p', '"%s"' % self.prompt]
        else:
            flags.append('-n')
        return ' '.join(['sudo'] + flags + ['-u', self.get_option('become_user'), 'env', 'VIA_SUDO=1',
                                           self._build_success_command(cmd, shell)])

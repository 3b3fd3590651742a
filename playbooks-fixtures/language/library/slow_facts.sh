#!/bin/sh
# A fact module that takes its time and knows nothing of gather_timeout.
sleep 2
echo '{"changed": false, "ansible_facts": {"speed": "slow", "slow_only": {"a": 1}, "shared": ["from slow"]}}'

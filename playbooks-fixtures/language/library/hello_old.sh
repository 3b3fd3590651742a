#!/bin/sh
# An old-style module: its arguments are `k=v` words in the file named by its first argument.
. "$1"  # name=Ansible
echo "junk before the result"
echo "{\"changed\": false, \"msg\": \"Hello, ${name:-World}!\"}"

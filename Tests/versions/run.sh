#!/bin/bash
# `make test-versions`: the integration fixtures with the module library of each ansible-core line
# installable here. Each line gets its own virtualenv (.venv-<line>, made once); swansible takes
# its modules and module_utils from it (SWANSIBLE_ANSIBLE_PATH), while the differential tests keep
# comparing with the main venv's ansible-playbook, whose behaviour swansible follows.
set -u
cd "$(dirname "$0")/../.."
LINES=${LINES_TO_TEST:-"2.16 2.17 2.18 2.19"}
declare -A result
status=0
for line in $LINES; do
    venv=.venv-$line
    [ "$line" = 2.19 ] && venv=.venv
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import ansible' 2>/dev/null; then
        next="${line%.*}.$(( ${line#*.} + 1 ))"
        /usr/bin/python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "ansible-core>=$line,<$next" \
            || { result[$line]="could not install"; status=1; continue; }
    fi
    ansible_dir=$(ls -d "$PWD/$venv"/lib/python3*/site-packages/ansible | head -1)
    version=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
    echo "=== ansible-core $version ($ansible_dir)"
    if SWANSIBLE_ANSIBLE_PATH="$ansible_dir" .venv/bin/python -m pytest -q Tests/integration "$@"; then
        result[$line]="passed ($version)"
    else
        result[$line]="FAILED ($version)"
        status=1
    fi
done
echo
printf '%-8s %s\n' line result
for line in $LINES; do printf '%-8s %s\n' "$line" "${result[$line]}"; done
exit $status

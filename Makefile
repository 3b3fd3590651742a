# swansible: `make demo` runs the demo playbook, `make test` runs every test. Both install
# what is missing on a fresh Debian 12 machine first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := libyaml-dev libssh-dev zlib1g-dev libcrypt-dev pkg-config python3 python3-venv openssh-server openssh-client sudo doas
ANSIBLE_CORE := ansible-core>=2.19,<2.20
BIN := .build/debug

.PHONY: setup build demo test unit integration bench acceptance test-versions clean corpus

setup: $(VENV)/.ready
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.ready:
	@dpkg -s python3-venv >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null)
	/usr/bin/python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check '$(ANSIBLE_CORE)' pytest passlib tomli-w
	touch $@

build: setup
	swift build

demo: build
	rm -rf /tmp/swansible-demo
	$(BIN)/swansible-playbook -i playbooks-fixtures/demo/inventory playbooks-fixtures/demo/site.yml

unit: build
	swift test

integration: build
	$(PY) -m pytest -q --durations=15 Tests/integration

test: build
	swift test
	$(PY) -m pytest -q --durations=15 Tests/integration

bench: build
	swift build -c release
	$(PY) -m pip install -q --disable-pip-version-check mitogen
	$(PY) Tests/bench/bench.py

# ansible-core's own integration targets through ansible-test, with ansible-playbook and with
# swansible-playbook standing in for it (Tests/acceptance/acceptance.py; TARGETS="a b" for some).
acceptance: build
	$(PY) Tests/acceptance/acceptance.py $(TARGETS)

# The integration fixtures with the module library of each ansible-core line (2.16 to 2.19), each
# in its own virtualenv (Tests/versions/run.sh; LINES_TO_TEST="2.16" for one).
test-versions: build
	Tests/versions/run.sh

clean:
	rm -rf .build $(VENV) $(VENV)-2.*

# Re-renders the templating corpus with ansible-core's own Templar (the expectations are committed).
corpus: setup
	$(PY) Tests/EngineTests/Corpus/generate.py

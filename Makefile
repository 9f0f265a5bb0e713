# Front door: `make demo` and `make test` install everything into .venv/ (idempotent) and run.
SHELL := /bin/bash
VENV ?= .venv
VENV_ABS := $(abspath $(VENV))
PY := $(VENV_ABS)/bin/python
PYTEST_ARGS ?=
export ROS_AUTOMATIC_DISCOVERY_RANGE := LOCALHOST
export AMENT_PREFIX_PATH := $(VENV_ABS)
export PYTHONDONTWRITEBYTECODE := 1

MSG_SOURCES := $(wildcard humanoid_control_msgs/msg/*.msg) humanoid_control_msgs/CMakeLists.txt humanoid_control_msgs/package.xml
STAMP_DEPS := $(VENV_ABS)/.deps-installed
STAMP_MSGS := $(VENV_ABS)/.msgs-installed
STAMP_PKG := $(VENV_ABS)/.pkg-installed

.PHONY: install demo readme-media test test-fast bench bench-extra campaign clean system-deps

install: $(STAMP_PKG)

# Debian packages: cmake and g++ build humanoid_control_msgs; libosmesa6 is the software
# OpenGL MuJoCo renders videos with (--video) on machines without a GPU or display.
system-deps:
	@missing=""; \
	command -v cmake >/dev/null || missing="$$missing cmake"; \
	command -v g++ >/dev/null || missing="$$missing g++"; \
	/sbin/ldconfig -p | grep -q "libOSMesa.so" || missing="$$missing libosmesa6"; \
	if [ -n "$$missing" ]; then \
	  echo "installing from Debian:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $$missing >/dev/null; fi; \
	fi

$(STAMP_DEPS): $(wildcard requirements*.txt) | system-deps
	@test -x $(PY) || python3 -m venv $(VENV_ABS)
	$(PY) -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(PY) -m pip install -q -r requirements.txt -r requirements-build.txt -r requirements-test.txt 2>&1 | grep -v "is ignored" || true
	$(PY) -c "import rclpy, pinocchio, proxsuite, mujoco, casadi, numba"  # fail here if an install step broke
	touch $@

$(STAMP_MSGS): $(STAMP_DEPS) $(MSG_SOURCES)
	rm -rf build/humanoid_control_msgs && mkdir -p build
	PATH=$(VENV_ABS)/bin:$$PATH CMAKE_PREFIX_PATH=$(VENV_ABS) cmake -S humanoid_control_msgs -B build/humanoid_control_msgs \
	  -DCMAKE_INSTALL_PREFIX=$(VENV_ABS) -DPython3_EXECUTABLE=$(PY) -DBUILD_TESTING=OFF >build/humanoid_control_msgs.log 2>&1 \
	  || (cat build/humanoid_control_msgs.log; exit 1)
	cmake --build build/humanoid_control_msgs -j2 >>build/humanoid_control_msgs.log 2>&1 || (tail -50 build/humanoid_control_msgs.log; exit 1)
	cmake --install build/humanoid_control_msgs >>build/humanoid_control_msgs.log 2>&1
	$(PY) -c "from humanoid_control_msgs.msg import JointCommand, ContactState"
	touch $@

$(STAMP_PKG): $(STAMP_MSGS) setup.py package.xml
	$(PY) -m pip install -q --no-deps -e . 2>&1 | grep -v "is ignored" || true
	$(PY) -c "import humanoid_control.cli"
	touch $@

demo: install
	@mkdir -p reports
	$(VENV_ABS)/bin/humanoid-control sim --robot humanoid --duration 14 --push 3:185,0,0:0.1 --push 6:0,150,0:0.1 \
	  --cmd-vel 8:0.3,0,0 --cmd-vel 11:0,0,0 \
	  --report reports/demo.json --video reports/demo.mp4 --plots reports/plots

# The README's picture and plot, from the demo's video and plots (run after `make demo`).
readme-media: demo
	$(PY) -m humanoid_control.viz.video --frame reports/demo.mp4 9.0 docs/media/demo_frame.png
	cp reports/plots/com_support.png docs/media/demo_com_support.png

# Two pytest-xdist workers (the CI machines have 2 cores); each test has its own ROS_DOMAIN_ID
# (test/conftest.py). PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= 2
test: install
	$(PY) -m pytest -q -ra -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS) test

test-fast: install
	$(PY) -m pytest -q -ra -n $(PYTEST_WORKERS) --dist worksteal -m "not sim" test

# Every performance figure in one table + bench/results.json. TSID (the C++ reference) is a
# bench-only extra, built once from source against our Pinocchio (~12 min, cached in build/wheels);
# without it the bench still runs and says why the reference is missing.
bench: install
	bench/build_tsid.sh $(VENV_ABS) || echo "bench: TSID reference unavailable (see above); continuing without it"
	$(PY) bench/run_all.py

# Solver comparisons, the real-time walk per layout, and the push, stairs and terrain neighbour sweeps
# (longer, for investigations).
bench-extra: install
	$(PY) bench/mpc_solve.py
	$(PY) bench/realtime_walk.py
	$(PY) bench/push_sweep.py
	$(PY) bench/stairs_sweep.py
	$(PY) bench/stairs_sweep.py --known
	$(PY) bench/terrain_sweep.py
	$(PY) bench/dropout_sweep.py

# Robustness campaigns: 100 mixed randomized trials on the project humanoid and 50 on Talos
# (config/campaign.yaml), tables printed, campaign.* figures into bench/results.json,
# reports and replay commands under reports/campaign.
campaign: install
	$(PY) bench/campaign.py

clean:
	rm -rf build reports .pytest_cache

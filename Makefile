# ipvs-push: build, test and demo. `make test` is what CI runs (via .ci/run).
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= debug

# Debian packages the build, the tests and the lab need.
APT_PACKAGES := \
	libnl-genl-3-dev libnl-3-dev libcurl4-openssl-dev libsnappy-dev libprotobuf-c-dev \
	protobuf-c-compiler zlib1g-dev pkg-config libcrypt-dev \
	user-mode-linux kmod ipvsadm iproute2 iptables util-linux python3 python3-prometheus-client curl openssl \
	prometheus prometheus-pushgateway victoria-metrics prometheus-node-exporter systemd strace libcap2-bin \
	docker.io busybox-static jq debootstrap python3-snappy

.PHONY: all deps build test demo bench proto clean fuzz fuzz-smoke format format-check

all: build

## deps: install what is missing (idempotent; needs root for apt-get)
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "all Debian packages present"; fi

## build: compile everything, tests included
build: deps
	$(SWIFT) build -c $(CONFIG) --build-tests

## test: unit tests, tests against the real Prometheus / Pushgateway / VictoriaMetrics,
## and the lab tests against a real kernel IPVS in user-mode Linux. Suites run one after
## the other: they start real servers and a kernel, too much at once for a 2-core machine.
## The swarm-deploy lab test builds the Docker image from the release binary (IPVS_PUSH_RELEASE),
## so `release` comes first; its base image is made once by Lab/host/base-image.sh (debootstrap,
## cached in /var/cache/ipvs-push-lab). First the fuzz smoke pass (fuzz-smoke, below): every
## parser of outside input, 20,000 fixed inputs each.
test: format-check fuzz-smoke build release
	@IPVS_PUSH_RELEASE=$(CURDIR)/$(RELEASE_SCRATCH)/release/ipvs-push \
	$(SWIFT) test -c $(CONFIG) --skip-build --no-parallel 2>&1 | tee .build/test-output.txt; \
	status=$${PIPESTATUS[0]}; \
	echo "--- summary"; grep -E "Test run with" .build/test-output.txt | tail -n 1; \
	exit $$status

## demo: boot the IPVS lab with traffic and show `ipvs-push dump` beside ipvsadm
demo: deps
	$(SWIFT) build -c $(CONFIG) --product ipvs-push
	Lab/ipvs-lab --env IPVS_PUSH=$(CURDIR)/.build/$(CONFIG)/ipvs-push demo

## release: ipvs-push as it ships, in .build/static/release/ipvs-push: optimised; the Swift runtime,
## Foundation and Dispatch linked in (--static-swift-stdlib: 14 shared libraries fewer to load and
## relocate at every start); linked by lld with packed relative relocations (DT_RELR: the loader
## reads 20 KB of relocations instead of 2.5 MB; needs glibc 2.36, Debian 12). Process start is
## slow in the IPVS lab, where every page fault is a round trip to the host. The Dockerfile and
## `make bench` build with the same flags. A scratch path of its own, so that building this and
## `swift build -c release` (against the shared Swift libraries) do not recompile each other.
.PHONY: release
RELEASE_SCRATCH := .build/static
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --scratch-path $(RELEASE_SCRATCH) --product ipvs-push
	@echo "built $(RELEASE_SCRATCH)/release/ipvs-push"

## lab-base-image: the IPVS lab's debian:bookworm-slim for the swarm-deploy scenario (debootstrap with the
## Dockerfile's runtime packages, as root; cached in /var/cache/ipvs-push-lab; prints the tarball)
.PHONY: lab-base-image
lab-base-image: deps
	Lab/host/base-image.sh

## bench: the benchmarks of issue 6 (collection at 10,000 services in the IPVS lab against ipvsadm
## and node_exporter, encoding with ordo-one/benchmark, send end to end), one table of figures with
## their peers and ratios, written to Benchmarks/RESULTS.md (options: Benchmarks/README.md)
bench: deps
	SWIFT=$(SWIFT) Benchmarks/scripts/run.sh

## format: apply swift-format (.swift-format: 4 spaces, 120 columns; ReplaceForEachWithForLoop is off because
## NetlinkAttributes.forEach is a typed-throws visitor of attributes, not Sequence.forEach)
FORMAT_PATHS = Package.swift Sources Tests Fuzz/Sources Benchmarks/Package.swift Benchmarks/Sources Benchmarks/Benchmarks
format:
	$(SWIFT) format format -i -r $(FORMAT_PATHS)

## format-check: fail on any file swift-format would change or any of its lint rules (make test runs it)
format-check:
	$(SWIFT) format lint --strict -r $(FORMAT_PATHS)

## fuzz: build the libFuzzer targets (Fuzz/README.md) with AddressSanitizer in .build-fuzz and run
## each on its seeds for FUZZ_SECONDS (default 60); non-zero on any crash, leak, hang, broken
## invariant or sanitizer report; one summary line per target with its execution count
FUZZ_SECONDS ?= 60
fuzz: deps
	SWIFT=$(SWIFT) FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh

## fuzz-smoke: the same, 20,000 inputs a target from a fixed seed (the same inputs on every
## machine, 2 to 30 s a target), for CI
fuzz-smoke: deps
	SWIFT=$(SWIFT) FUZZ_RUNS=20000 FUZZ_SEED=1 FUZZ_SECONDS=300 Fuzz/run.sh

## proto: regenerate the committed protobuf-c code from Proto/*.proto (needs protoc-c)
proto: deps
	Proto/generate.sh

clean:
	rm -rf .build .build-fuzz

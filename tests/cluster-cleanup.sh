#!/bin/sh
# cluster-cleanup.sh - proves that the test runner leaves no PostgreSQL
# process and no cluster folder behind, whatever becomes of the tests: a
# failing test, SIGINT or SIGTERM while a test hangs, and a test that kills
# the process running the suites.  `make check` runs it after the suites.
#
#   sh tests/cluster-cleanup.sh build/tests/runner
#
# Each case runs the runner on the sabotage test of tests/check_cluster.c
# (LRT_TEST_SABOTAGE), with the cluster's folder made under a scratch
# folder, then checks the runner's exit status, that the scratch folder is
# empty again, and that none of the processes whose pids the sabotage test
# wrote down (itself, its server backend, the server) is still alive.
set -u
runner=${1:?usage: cluster-cleanup.sh RUNNER}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/lrt-cleanup-XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
# As root the server runs as `postgres`, which must reach its folder.
chmod 755 "$scratch"
mkdir "$scratch/clusters" && chmod 755 "$scratch/clusters" || exit 1
failures=0
case_name=

fail() {
	echo "cluster cleanup: $case_name: $*" >&2
	failures=$((failures + 1))
}

# True for a running process (a zombie has already let go of everything).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ]
}

# Starts the runner in the background with the sabotage MODE; sets $pid.
start_case() {
	case_name=$1
	rm -f "$scratch/mark"
	LRT_TEST_TMPDIR="$scratch/clusters" LRT_TEST_SABOTAGE=$2 \
	LRT_TEST_SABOTAGE_MARK="$scratch/mark" \
	CK_RUN_SUITE=cluster CK_RUN_CASE=sabotage \
		"$runner" >"$scratch/$case_name.log" 2>&1 &
	pid=$!
}

# Waits until the sabotage test has written its pids.
wait_for_mark() {
	tries=0
	while [ ! -s "$scratch/mark" ]; do
		tries=$((tries + 1))
		if [ "$tries" -gt 600 ] || ! alive "$pid"; then
			fail "the sabotage test never started"
			return 1
		fi
		sleep 0.1
	done
}

# Waits for the runner and checks what it left: EXPECTED exit status.
finish_case() {
	before=$failures
	wait "$pid" 2>/dev/null
	status=$?
	[ "$status" -eq "$1" ] || fail "exit status $status, expected $1"
	[ -s "$scratch/mark" ] || fail "the sabotage test did not run"
	for p in $(cat "$scratch/mark" 2>/dev/null); do
		if alive "$p"; then
			fail "process $p is still alive: $(tr '\0' ' ' <"/proc/$p/cmdline")"
		fi
	done
	left=$(ls -A "$scratch/clusters")
	[ -z "$left" ] || fail "left behind in $scratch/clusters: $left"
	[ "$failures" -eq "$before" ] || sed 's/^/    | /' "$scratch/$case_name.log" >&2
}

start_case "a failing test" fail
finish_case 1

start_case "SIGINT during a test" hang
wait_for_mark && kill -INT "$pid"
finish_case 130

start_case "SIGTERM during a test" hang
wait_for_mark && kill -TERM "$pid"
finish_case 143

start_case "the suites' process killed" crash
finish_case 1

if [ "$failures" -ne 0 ]; then
	echo "cluster cleanup: $failures problem(s): see above" >&2
	exit 1
fi
echo "cluster cleanup: no server process and no folder left after a failing" \
     "test, SIGINT, SIGTERM and a killed test runner"

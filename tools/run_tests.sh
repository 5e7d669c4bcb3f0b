#!/bin/sh
# Run each test target in turn, keep going past failures and hangs, and end
# with the summary line "N passed, N failed, N skipped".
#
#   run_tests.sh MAKE TARGET...
#
# Time limit. Each target runs under timeout(1) with its own limit: the
# environment's TEST_TIMEOUT_<target> (the target's name with '-' as '_',
# e.g. TEST_TIMEOUT_test_cosim=5400), else the target's entry in
# TEST_TIMEOUTS ("target=seconds ...", from the Makefile's fragments), else
# TEST_TIMEOUT, else 2400 s. A target that hits it is killed with its whole
# process group (make, the simulators, QEMU) and fails, naming the limit;
# the run goes on with the next target.
#
# Skips. A test that cannot run here (a tool it needs is missing) exits 77,
# as automake's tests do. make turns every failing status into 2, so the
# recipe also creates the file named by TEST_SKIP_FILE, which this script
# sets for each target (mk/tests/*.mk: $(call test_skippable,...)). Such a
# target is reported as skipped: never a pass, and not a failure either,
# unless TEST_NO_SKIP names it or is 1 (.ci/run sets 1: in CI everything is
# installed, so every target must really run).
#
# The machine has two cores and Verilator builds must not overlap (they also
# take a lock), so the tests run one at a time, except BG_TARGETS: long
# single-threaded jobs (Yosys) that run one after the other beside the rest,
# once BG_PREP (the files they share with other tests) is built. Their output
# goes to BG_LOGS/<target>.log and is shown at the end.
make_cmd="$1"; shift
pass=0; fail=0; skip=0; failed=""; skipped=""
status=${TEST_STATUS_DIR:-build/test-status}
rm -rf "$status" && mkdir -p "$status" && status=$(cd "$status" && pwd) || exit 2
bgpid=

limit_of() { # target -> seconds
	v=$(printf '%s' "$1" | tr -c 'A-Za-z0-9_' '_')
	eval "l=\${TEST_TIMEOUT_$v:-}"
	if [ -z "$l" ]; then
		for e in ${TEST_TIMEOUTS:-}; do
			[ "${e%%=*}" = "$1" ] && l=${e#*=}
		done
	fi
	[ -n "$l" ] || l=${TEST_TIMEOUT:-2400}
	case $l in ''|*[!0-9]*) echo "run_tests: bad time limit '$l' for $1" >&2; l=2400 ;; esac
	echo "$l"
}

must_run() { # target: is a skip a failure?
	[ "${TEST_NO_SKIP:-}" = 1 ] && return 0
	for m in ${TEST_NO_SKIP:-}; do [ "$m" = "$1" ] && return 0; done
	return 1
}

# run_one TARGET: runs it under its limit; writes $status/TARGET.result
# (pass | fail | timeout LIMIT | skip) and .secs.
run_one() {
	t=$1; lim=$(limit_of "$t")
	rm -f "$status/$t.skip"
	t0=$(date +%s)
	TEST_SKIP_FILE="$status/$t.skip" timeout -k 30 "$lim" \
		$make_cmd --no-print-directory "$t" </dev/null
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	echo "$secs" >"$status/$t.secs"
	if [ $rc = 124 ] || { [ $rc = 137 ] && [ "$secs" -ge "$lim" ]; }; then
		echo "timeout $lim"
	elif [ -e "$status/$t.skip" ]; then
		echo skip
	elif [ $rc = 0 ]; then
		echo pass
	else
		echo fail
	fi >"$status/$t.result"
}

# report TARGET: counts and prints the result run_one left.
report() {
	t=$1; r=$(cat "$status/$t.result" 2>/dev/null || echo "fail (no result)")
	s=$(cat "$status/$t.secs" 2>/dev/null || echo "?")
	case $r in
	pass) pass=$((pass + 1)); echo "--- PASS $t ($s s)" ;;
	skip)
		if must_run "$t"; then
			fail=$((fail + 1)); failed="$failed $t(skipped)"
			echo "--- FAIL $t: skipped, but TEST_NO_SKIP=${TEST_NO_SKIP} requires it to run"
		else
			skip=$((skip + 1)); skipped="$skipped $t"; echo "--- SKIP $t ($s s)"
		fi ;;
	timeout*)
		fail=$((fail + 1)); failed="$failed $t(timeout)"
		echo "--- FAIL $t: timed out after ${r#timeout } s (its limit; TEST_TIMEOUT_$(printf '%s' "$t" | tr -c 'A-Za-z0-9_' '_')= sets another)" ;;
	*) fail=$((fail + 1)); failed="$failed $t"; echo "--- FAIL $t ($s s)" ;;
	esac
}

if [ -n "${BG_TARGETS:-}" ]; then
	logs=${BG_LOGS:-build/test-bg}
	rm -rf "$logs" && mkdir -p "$logs"
	# shellcheck disable=SC2086
	if timeout -k 30 "${TEST_TIMEOUT:-2400}" $make_cmd --no-print-directory ${BG_PREP:-} \
		</dev/null >"$logs/prep.log" 2>&1; then
		(
			for t in $BG_TARGETS; do
				run_one "$t" >"$logs/$t.log" 2>&1
			done
		) &
		bgpid=$!
		echo "=== running beside the others: $BG_TARGETS (logs in $logs)"
	else
		cat "$logs/prep.log"
		for t in $BG_TARGETS; do echo fail >"$status/$t.result"; done
	fi
fi
for t in "$@"; do
	echo "=== $t (time limit $(limit_of "$t") s)"
	run_one "$t"
	report "$t"
done
if [ -n "${BG_TARGETS:-}" ]; then
	[ -n "$bgpid" ] && wait "$bgpid"
	for t in $BG_TARGETS; do
		echo "=== $t (ran beside the others, time limit $(limit_of "$t") s)"
		[ -f "$logs/$t.log" ] && cat "$logs/$t.log"
		report "$t"
	done
fi
[ -n "$skipped" ] && echo "skipped:$skipped"
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

#!/bin/sh
# tools/run_tests.sh on targets with known outcomes (tests/harness/fake.mk):
# a pass, a failure, a hang and a skip. The hang must fail by its time limit,
# naming the target and the limit, with its whole process group gone, and
# the run must go on; the skip must be counted as skipped, never as passed,
# and as a failure when TEST_NO_SKIP names it; limits come from the
# environment before TEST_TIMEOUTS; the summary is "N passed, N failed,
# N skipped" and the status non-zero exactly when something failed.
# usage: run.sh OUTDIR   (from the top of the repository)
out=$1
rm -rf "$out" && mkdir -p "$out"
# This test runs under make test itself: what the outer runner set must not
# leak into the runs below (nor their skip mark into the outer target's).
unset TEST_SKIP_FILE TEST_NO_SKIP TEST_TIMEOUT TEST_TIMEOUTS TEST_STATUS_DIR BG_TARGETS BG_PREP BG_LOGS
for v in $(env | sed -n 's/^\(TEST_TIMEOUT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# expect NAME FILE PATTERN: a line of FILE matches the ERE PATTERN
expect() { if grep -Eq -- "$3" "$2"; then ok "$1"; else bad "$1: no /$3/ in $2:"; sed 's/^/    /' "$2"; fi; }
mk="make -f tests/harness/fake.mk PIDFILE=$out/hang.pid"
harness() { # log [VAR=value...] -- targets
	log=$1; shift
	env TEST_STATUS_DIR="$out/status" BG_LOGS="$out/bg" "$@" >"$log" 2>&1
}

# 1. hang, pass, fail, skip: the hang first, so the run must go on after it.
t0=$(date +%s)
harness "$out/all.log" TEST_TIMEOUT_hang=3 TEST_TIMEOUTS="hang=100" sh tools/run_tests.sh "$mk" hang ok bad skip
st=$?; secs=$(( $(date +%s) - t0 ))
[ $st != 0 ] && ok "status $st when a target failed" || bad "status 0 with failures"
expect "summary counts the skip apart" "$out/all.log" '^1 passed, 2 failed, 1 skipped$'
expect "the hang fails by its limit, named" "$out/all.log" '^--- FAIL hang: timed out after 3 s'
expect "the environment's limit wins over TEST_TIMEOUTS" "$out/all.log" '^=== hang \(time limit 3 s\)'
expect "the run goes on after the hang" "$out/all.log" '^ok ran$'
expect "the skip is reported as skipped" "$out/all.log" '^--- SKIP skip'
expect "the failure is named" "$out/all.log" '^failed: hang\(timeout\) bad$'
[ $secs -lt 60 ] && ok "the hang ended in $secs s (limit 3 s)" || bad "the run took $secs s"
pid=$(cat "$out/hang.pid" 2>/dev/null)
# (its parent is killed too, so it may be a zombie for a moment before init reaps it)
i=0; while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then ok "the hang's grandchild (pid $pid) is gone"
else bad "the hang's grandchild ${pid:-(no pid)} survived"; [ -n "$pid" ] && kill "$pid"; fi

# 2. all passing or skipped: status 0; a limit from TEST_TIMEOUTS.
harness "$out/green.log" TEST_TIMEOUTS="ok=7" sh tools/run_tests.sh "$mk" ok skip
st=$?
[ $st = 0 ] && ok "status 0 with a pass and a skip" || bad "status $st with a pass and a skip"
expect "pass and skip counted" "$out/green.log" '^1 passed, 0 failed, 1 skipped$'
expect "TEST_TIMEOUTS gives a target its limit" "$out/green.log" '^=== ok \(time limit 7 s\)'

# 3. TEST_NO_SKIP: a skip of a target that must run fails; of another, not.
harness "$out/ci.log" TEST_NO_SKIP=1 sh tools/run_tests.sh "$mk" ok skip
st=$?
[ $st != 0 ] && ok "TEST_NO_SKIP=1: status $st" || bad "TEST_NO_SKIP=1: status 0"
expect "TEST_NO_SKIP=1: the skip is a failure" "$out/ci.log" '^1 passed, 1 failed, 0 skipped$'
expect "TEST_NO_SKIP=1: says why" "$out/ci.log" '^--- FAIL skip: skipped, but TEST_NO_SKIP'
harness "$out/ci2.log" TEST_NO_SKIP="ok" sh tools/run_tests.sh "$mk" ok skip
[ $? = 0 ] && ok "TEST_NO_SKIP naming another target: status 0" || bad "TEST_NO_SKIP=ok failed the run"
expect "TEST_NO_SKIP naming another target: still skipped" "$out/ci2.log" '^1 passed, 0 failed, 1 skipped$'

# 4. background targets get the same treatment.
harness "$out/bg.log" BG_TARGETS="bad skip" BG_PREP=ok sh tools/run_tests.sh "$mk" ok
[ $? != 0 ] && ok "background failure fails the run" || bad "background failure: status 0"
expect "background targets counted" "$out/bg.log" '^1 passed, 1 failed, 1 skipped$'

# 5. a skipped target run alone is not a pass; with TEST_SKIP_FILE set (as
# the runner sets it) it marks that file.
$mk --no-print-directory skip >"$out/alone.log" 2>&1
st=$?
[ $st != 0 ] && ok "the skip target alone: make status $st" || bad "the skip target alone passed"
expect "the skip target alone says why" "$out/alone.log" '^SKIP: nothing to run here'
TEST_SKIP_FILE=$out/mark $mk --no-print-directory skip >/dev/null 2>&1
TEST_SKIP_FILE=$out/mark-ok $mk --no-print-directory ok >/dev/null 2>&1
[ -e "$out/mark" ] && [ ! -e "$out/mark-ok" ] && ok "TEST_SKIP_FILE marked by the skip only" ||
	bad "TEST_SKIP_FILE: skip $([ -e "$out/mark" ] && echo marked || echo unmarked), ok $([ -e "$out/mark-ok" ] && echo marked || echo unmarked)"

echo "$pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]

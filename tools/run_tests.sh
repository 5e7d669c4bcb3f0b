#!/bin/sh
# Run each test target in turn, keep going past failures, and end with the
# plain summary line "N passed, N failed".
#
# The machine has two cores and Verilator builds must not overlap (they also
# take a lock), so the tests run one at a time, except BG_TARGETS: long
# single-threaded jobs (Yosys) that run one after the other beside the rest,
# once BG_PREP (the files they share with other tests) is built. Their output
# goes to BG_LOGS/<target>.log and is shown at the end.
make_cmd="$1"; shift
pass=0; fail=0; failed=""
bgpid=
if [ -n "${BG_TARGETS:-}" ]; then
	logs=${BG_LOGS:-build/test-bg}
	rm -rf "$logs" && mkdir -p "$logs"
	# shellcheck disable=SC2086
	if $make_cmd --no-print-directory ${BG_PREP:-} > "$logs/prep.log" 2>&1; then
		(
			for t in $BG_TARGETS; do
				if $make_cmd --no-print-directory "$t" > "$logs/$t.log" 2>&1; then
					echo pass > "$logs/$t.status"
				else
					echo fail > "$logs/$t.status"
				fi
			done
		) &
		bgpid=$!
		echo "=== running beside the others: $BG_TARGETS (logs in $logs)"
	else
		cat "$logs/prep.log"
		for t in $BG_TARGETS; do echo fail > "$logs/$t.status"; done
	fi
fi
for t in "$@"; do
	echo "=== $t"
	if $make_cmd --no-print-directory "$t"; then
		pass=$((pass + 1)); echo "--- PASS $t"
	else
		fail=$((fail + 1)); failed="$failed $t"; echo "--- FAIL $t"
	fi
done
if [ -n "${BG_TARGETS:-}" ]; then
	[ -n "$bgpid" ] && wait "$bgpid"
	for t in $BG_TARGETS; do
		echo "=== $t (ran beside the others)"
		[ -f "$logs/$t.log" ] && cat "$logs/$t.log"
		if [ "$(cat "$logs/$t.status" 2>/dev/null)" = pass ]; then
			pass=$((pass + 1)); echo "--- PASS $t"
		else
			fail=$((fail + 1)); failed="$failed $t"; echo "--- FAIL $t"
		fi
	done
fi
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# Run each test target in turn (one at a time: the machine has two cores and
# Verilator builds must not overlap), keep going past failures, and end with the
# plain summary line "N passed, N failed".
make_cmd="$1"; shift
pass=0; fail=0; failed=""
for t in "$@"; do
	echo "=== $t"
	if $make_cmd --no-print-directory "$t"; then
		pass=$((pass + 1)); echo "--- PASS $t"
	else
		fail=$((fail + 1)); failed="$failed $t"; echo "--- FAIL $t"
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# Coverage floor of test-fuzz-fuse: the fuzzer finishing without a crash is
# not enough; its log must show that it ran every input asked for and reached
# the code it is meant to reach. Prints each figure against its floor. The
# floors sit below what a run from the seeds alone reaches (cov 1790, 40
# opcodes replied to and 18 with success, about 1 800 SETLKW deferred and
# answered, thousands of the rest; the corpus in build/ only raises them).
# The seeds (tests/fuse/fuzz_seeds.py) take a lock, queue a SETLKW behind it
# and release it: from an empty corpus the run reached a deferral only by
# luck (0 to 2 in 300 000 inputs; 0 made CI fail).
# usage: fuzz_check.sh FUZZ_LOG RUNS
log=$1; runs=$2
pass=0; fail=0
# floor NAME VALUE MIN
floor() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] 2>/dev/null; then
		pass=$((pass + 1)); echo "PASS $1: $2 (floor $3)"
	else
		fail=$((fail + 1)); echo "FAIL $1: ${2:-none in $log} (floor $3)"
	fi
}
num() { sed -n "$1" "$log" | tail -n 1; }
floor "inputs executed" "$(num 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p')" "$runs"
# libFuzzer's edge coverage at the end (cov: on its last status line)
floor "edges covered (libFuzzer cov)" "$(num 's/^#[0-9]*.*cov: \([0-9]*\).*/\1/p')" 900
floor "opcodes replied to" "$(num 's/^fuzz_dispatch: \([0-9]*\) opcodes replied to.*/\1/p')" 25
floor "opcodes answered with success" "$(num 's/^fuzz_dispatch: .* replied to, \([0-9]*\) of them with success/\1/p')" 12
stats=$(grep '^fuzz_dispatch: [0-9]* locks set' "$log" | tail -n 1)
field() { printf '%s\n' "$stats" | sed -n "s/.*[^0-9]\([0-9][0-9]*\) $1.*/\1/p; s/^fuzz_dispatch: \([0-9][0-9]*\) $1.*/\1/p" | head -n 1; }
floor "locks set" "$(field 'locks set')" 100
floor "SETLKW deferred" "$(field 'SETLKW deferred')" 1
floor "deferred replies sent" "$(field 'deferred replies')" 1
floor "COPY_FILE_RANGE copied" "$(field 'COPY_FILE_RANGE copied')" 10
floor "SETUPMAPPING done" "$(field 'SETUPMAPPING and')" 100
floor "REMOVEMAPPING done" "$(field 'REMOVEMAPPING done')" 100
floor "window writes" "$(field 'window writes')" 100
[ $fail = 0 ] && res=pass || res=FAIL
sh "$(dirname "$0")/../../tools/figures_row.sh" fuse-fuzz $res \
	"Malformed FUSE requests: libFuzzer through the dispatcher over ext4, ASan+UBSan (test-fuzz-fuse)" \
	"$(num 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p') requests" \
	"no crash or sanitizer report, every reply inside its buffer; $(num 's/^fuzz_dispatch: \([0-9]*\) opcodes replied to.*/\1/p') opcodes replied to"
echo "$pass passed, $fail failed"
[ $fail = 0 ]

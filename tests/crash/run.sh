#!/bin/sh
# The crash campaigns (crash_test.c) and Linux's replay of a sample.
# usage: run.sh CRASH_TEST WORKDIR short|long SEED
#   short (make test): 1 000 cut points of one seed, 1 KiB blocks, floors on
#     the points that lose or tear cached writes and on each class and phase;
#     4 cut images replayed by Linux.
#   long: 4 seeds from SEED x {1 KiB, 4 KiB blocks} x 2 000 cut points, 8
#     images of each replayed by Linux.
# Exit status: 0 pass; failures print their seed and cut (rerun with
# CRASH_SEED=seed, or crash_test WORKDIR -s SEED -c CUT).
set -u
bin=$1; work=$2; mode=$3; seed=$4
pass=0; fail=0; skip=0
campaign() {  # seed, cuts, kernel samples, crash_test options...
	s=$1; n=$2; k=$3; shift 3
	w="$work/s$s$(echo "$*" | tr -d ' -')"
	rm -rf "$w"; mkdir -p "$w"
	if "$bin" "$w" -s "$s" -n "$n" -k "$k" --floor-cut $((n / 2)) --floor-class $((n / 40)) "$@"; then
		pass=$((pass + 1)); echo "PASS crash seed $s $*"
	else
		fail=$((fail + 1)); echo "FAIL crash seed $s $* (rerun: CRASH_SEED=$s, or $bin $w -s $s -c CUT $*)"
		return
	fi
	sh "$(dirname "$0")/kernel_replay.sh" "$bin" "$w" "$s" "$@"
	case $? in
	0) pass=$((pass + 1)); echo "PASS crash/kernel seed $s $*" ;;
	77) skip=1 ;;
	*) fail=$((fail + 1)); echo "FAIL crash/kernel seed $s $*" ;;
	esac
}
case $mode in
short)
	campaign "$seed" 1000 4 ;;
long)
	for s in $seed $((seed + 1)) $((seed + 2)) $((seed + 3)); do
		campaign "$s" 2000 8
		campaign "$s" 2000 8 -b 4096
	done ;;
*) echo "run.sh: mode short or long"; exit 2 ;;
esac
echo "$pass passed, $fail failed"
[ $fail = 0 ] || exit 1
[ $skip = 0 ] || exit 77

#!/bin/sh
# Runs every RV32IM test program on the simulator; each must pass. A canary
# program with one wrong expectation must fail, which shows that a failing
# case is noticed.
# usage: run.sh SIM ELFDIR
sim="$1"; dir="$2"
pass=0; fail=0
for elf in "$dir"/*.elf; do
	name=$(basename "$elf" .elf)
	"$sim" --elf "$elf" --max-cycles 2000000 >"$dir/$name.out" 2>&1
	st=$?
	if [ "$name" = canary ]; then
		if [ $st = 1 ] && grep -q "FAIL code" "$dir/$name.out"; then
			pass=$((pass + 1)); echo "PASS canary (fails as it must)"
		else
			fail=$((fail + 1)); echo "FAIL canary: status $st, a wrong expectation went unnoticed"
		fi
	elif [ $st = 0 ]; then
		pass=$((pass + 1)); echo "PASS $name ($(tail -1 "$dir/$name.out"))"
	else
		fail=$((fail + 1)); echo "FAIL $name: $(tail -2 "$dir/$name.out" | tr '\n' ' ')"
	fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

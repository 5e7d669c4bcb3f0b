#!/bin/sh
# fwtest.sh SIM ELFDIR APP... - run firmware programs on a simulator and
# check them against firmware/apps/<app>/test.expect:
#   exit 0 | exit nonzero        expected exit status of SIM
#   stdout <ERE>                 a line of the program's output must match
#   stderr <ERE>                 a line of the simulator's stderr must match
# Blank lines and lines starting with '#' are ignored.
# Prints PASS/FAIL per program and ends with "N passed, N failed".
set -u
sim=$1 elfdir=$2
shift 2
here=$(dirname "$0")
: "${FW_TEST_TIMEOUT:=300}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for app in "$@"; do
	elf=$elfdir/$app.elf
	expect=$here/$app/test.expect
	why=
	if [ ! -f "$expect" ]; then
		why="no $expect"
	else
		timeout "$FW_TEST_TIMEOUT" "$sim" --elf "$elf" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		while read -r kind arg; do
			case $kind in
			''|'#'*) continue ;;
			exit)
				if [ "$arg" = nonzero ]; then
					[ "$rc" -ne 0 ] || why="${why}exit status 0, expected non-zero; "
				elif [ "$rc" -ne "$arg" ]; then
					why="${why}exit status $rc, expected $arg; "
				fi
				;;
			stdout) grep -Eq -- "$arg" "$tmp/out" || why="${why}stdout lacks /$arg/; " ;;
			stderr) grep -Eq -- "$arg" "$tmp/err" || why="${why}stderr lacks /$arg/; " ;;
			*) why="${why}bad line in $expect: $kind; " ;;
			esac
		done <"$expect"
	fi
	if [ -z "$why" ]; then
		echo "PASS firmware/$app"
		pass=$((pass + 1))
	else
		echo "FAIL firmware/$app: $why"
		if [ -f "$tmp/out" ]; then
			echo "---- stdout of $app"; tail -n 40 "$tmp/out"
			echo "---- stderr of $app"; tail -n 10 "$tmp/err"
		fi
		fail=$((fail + 1))
	fi
	rm -f "$tmp/out" "$tmp/err"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

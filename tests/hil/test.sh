#!/bin/sh
# Checks of the HIL runner that need no card: the dry run prints the binding,
# a KVM boot with the card passed through for each mount mode and the report;
# the 12 job files parse; bad arguments are refused; report.py turns real fio
# output (two job files run here on a temporary directory, in guest.sh's
# format) into a table, an SVG and JSON.
#
# usage: test.sh WORKDIR
set -u
W=${1:?workdir}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$W" && mkdir -p "$W/fio" || exit 2
pass=0; fail=0
ok() { pass=$((pass + 1)); }
no() { echo "FAIL $*"; fail=$((fail + 1)); }
has() { grep -qF -- "$1" "$W/dry.out" && ok || no "dry run lacks: $1"; }

sh "$here/run.sh" --bdf 0000:65:00.0 --dry-run --out "$W/out" >"$W/dry.out" 2>&1 && ok || no "dry run exit status"
has "hil: 12 job files parse (fio --parse-only)"
has "+ modprobe vfio-pci"
has "+ echo vfio-pci > /sys/bus/pci/devices/0000:65:00.0/driver_override"
has "-machine q35,accel=kvm -cpu host"
has "-device vfio-pci,host=0000:65:00.0"
has "vfsctl --pci 0000:65:00.0 settime"
has "'console=ttyS0 panic=-1 guest.tag=vfpga'"
has "'console=ttyS0 panic=-1 guest.tag=vfpga guest.opts=dax'"
has "report.py --title"
[ ! -e "$W/out/nodax/initrd" ] && ok || no "the dry run built files"
sh "$here/run.sh" --dry-run >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "no --bdf accepted"
sh "$here/run.sh" --bdf 0000:65:00.0 --dry-run --jobs nosuch >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "unknown job accepted"
sh "$here/run.sh" --bdf 0000:65:00.0 --dry-run --modes fast >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "unknown mode accepted"
sh "$here/bind.sh" --dry-run 65:00.0 >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "short BDF accepted by bind.sh"

# report.py on real fio output
for j in randread-psync seqwrite-libaio; do
	for nj in 1 2; do
		echo "@@FIO-BEGIN nodax $j $nj"
		DIR=$W/fio SIZE=256k NUMJOBS=$nj RUNTIME=0 fio --output-format=json "$here/jobs/$j.fio" 2>/dev/null
		echo "@@FIO-END"
		rm -f "$W/fio"/*
	done
done >"$W/out.log"
if python3 "$here/report.py" --title "local fio" --md "$W/r.md" --svg "$W/r.svg" --json "$W/r.json" "$W/out.log"; then
	ok
	[ "$(grep -c '^| randread-psync\|^| seqwrite-libaio' "$W/r.md")" -eq 4 ] && ok || no "table rows: $(cat "$W/r.md")"
	grep -q '<svg' "$W/r.svg" && [ "$(grep -c '<rect' "$W/r.svg")" -ge 5 ] && ok || no "svg"
	python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if len(r)==4 and all(x['bytes']>0 for x in r) else 1)" "$W/r.json" && ok || no "json"
else
	no "report.py failed on fio output"
fi
python3 "$here/report.py" "$W/dry.out" >/dev/null 2>&1; [ $? -eq 1 ] && ok || no "report.py found results in nothing"
echo "hil runner checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

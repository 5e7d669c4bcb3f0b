#!/bin/sh
# fio-verify.sh: run fio verify jobs INSIDE the test guest, in the current
# directory, and summarise them one line each.
#
#   fio-verify.sh [--verify-only] JOB.fio...
#
# --verify-only reads back and checks what an earlier run of the same jobs
# wrote (fio --verify_only: same offsets, same checksums). A job that fails
# (I/O error, checksum mismatch) has its whole output printed; the exit status
# is 1 if any job failed.
set -u
extra=
[ "${1:-}" = --verify-only ] && { extra=--verify_only; shift; }
fails=0
for job in "$@"; do
	name=$(basename "$job" .fio)
	out=/tmp/fio-$name.out
	if fio $extra "$job" >"$out" 2>&1; then
		iops=$(grep -E '^ +(read|write): IOPS=' "$out" | sed -E 's/^ +(read|write): IOPS=([^,]*),.*/\1 \2/' | tr '\n' ' ')
		echo "fio $name${extra:+ (verify only)}: ok; IOPS: $iops"
	else
		echo "FAIL: fio $name${extra:+ (verify only)} exited $?; its output:"
		cat "$out"
		fails=$((fails + 1))
	fi
done
[ $fails -eq 0 ]

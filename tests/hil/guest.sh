# The command tests/hil/run.sh (and sim.sh) runs in the guest, in /mnt on the
# card's virtio-fs mount: every job file in /opt/jobs with each NUMJOBS of
# HIL_NUMJOBS, fio's JSON between marker lines on the command's output.
# HIL_MODE, HIL_SIZE, HIL_RUNTIME, HIL_NUMJOBS, HIL_JOBS come from
# /opt/hil.env. tests/hil/test.sh runs it on the host with other places
# (HIL_ENV, HIL_MNT, HIL_MOUNTS, HIL_JOBDIR; the defaults are the guest's).
#
# The job files share their data files (hil.<job>.0), so for each NUMJOBS
# they are laid out once, by the first job, and the others reuse them.
#
# In mode dax the mount must really be DAX: the mount options name
# dax=always, and every data file fio used reports STATX_ATTR_DAX (fshelper
# dax-check); otherwise the job is marked failed ("@@FIO-FAILED ... dax not
# in use") and its result is not reported, so a mount that fell back to the
# page cache cannot pass as a DAX row.
. "${HIL_ENV:-/opt/hil.env}"
mnt=${HIL_MNT:-/mnt}
jobdir=${HIL_JOBDIR:-/opt/jobs}
rc=0
dax_mount_ok=1
if [ "$HIL_MODE" = dax ]; then
	opts=$(awk -v m="$mnt" '$2 == m && $3 == "virtiofs" { print $4 }' "${HIL_MOUNTS:-/proc/mounts}")
	case ",$opts," in
	*,dax=always,*|*,dax,*) echo "@@DAX mount options $opts" ;;
	*) echo "@@DAX-NOT-IN-USE mount options '$opts'"; dax_mount_ok=0 ;;
	esac
fi
for nj in $HIL_NUMJOBS; do
	mkdir -p "$mnt/hil" && rm -f "$mnt"/hil/*
	for job in $HIL_JOBS; do
		tmp=/tmp/fio.$job.$nj.$$.json
		DIR=$mnt/hil SIZE=$HIL_SIZE NUMJOBS=$nj RUNTIME=$HIL_RUNTIME \
			fio --output-format=json "$jobdir/$job.fio" >"$tmp" 2>/tmp/fio.err.$$
		st=$?
		why=
		[ $st -eq 0 ] || why="fio status $st: $(head -c 300 /tmp/fio.err.$$)"
		if [ -z "$why" ] && [ "$HIL_MODE" = dax ]; then
			if [ $dax_mount_ok -ne 1 ]; then
				why="dax not in use: the mount has no dax option"
			else
				for f in "$mnt"/hil/hil.*; do
					fshelper dax-check "$f" 2>/tmp/dax.err || { why="dax not in use: $(cat /tmp/dax.err)"; break; }
				done
			fi
		fi
		if [ -z "$why" ]; then
			echo "@@FIO-BEGIN $HIL_MODE $job $nj"
			cat "$tmp"
			echo "@@FIO-END"
		else
			echo "@@FIO-FAILED $HIL_MODE $job $nj: $why"
			rc=1
		fi
		rm -f "$tmp" /tmp/fio.err.$$
	done
done
rm -rf "$mnt/hil"
exit $rc

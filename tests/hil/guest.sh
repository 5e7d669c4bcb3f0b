# The command tests/hil/run.sh (and sim.sh) runs in the guest, in /mnt on the
# card's virtio-fs mount: every job file in /opt/jobs with each NUMJOBS of
# HIL_NUMJOBS, fio's JSON between marker lines on the command's output.
# HIL_MODE, HIL_SIZE, HIL_RUNTIME, HIL_NUMJOBS, HIL_JOBS come from
# /opt/hil.env.
. /opt/hil.env
rc=0
for job in $HIL_JOBS; do
	for nj in $HIL_NUMJOBS; do
		mkdir -p /mnt/hil && rm -f /mnt/hil/*
		echo "@@FIO-BEGIN $HIL_MODE $job $nj"
		DIR=/mnt/hil SIZE=$HIL_SIZE NUMJOBS=$nj RUNTIME=$HIL_RUNTIME \
			fio --output-format=json "/opt/jobs/$job.fio" || { echo "@@FIO-FAILED $job $nj"; rc=1; }
		echo "@@FIO-END"
	done
done
rm -rf /mnt/hil
exit $rc

#!/bin/sh
# Starts a single-node Slurm (munge + slurmctld + slurmd) for the tests, as root, with all its
# state under one directory: $JOBGATE_SLURM_DIR (default /tmp/jobgate-slurm). Writes
# $JOBGATE_SLURM_DIR/slurm.conf; every Slurm command must then see
# SLURM_CONF=$JOBGATE_SLURM_DIR/slurm.conf (the last line printed is that assignment).
# Waits until the node is idle and a first batch job has run (slurmctld's scheduler makes its
# first pass about 3 s after it starts), so tests do not pay that delay.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
D=${JOBGATE_SLURM_DIR:-/tmp/jobgate-slurm}
if [ -f "$D/slurmctld.pid" ] && kill -0 "$(cat "$D/slurmctld.pid")" 2>/dev/null; then
  echo "slurm: already running from $D (stop it with stop-slurm.sh)" >&2
  exit 1
fi
mkdir -p "$D/state" "$D/spool" "$D/log"
sed "s|@DIR@|$D|g" "$HERE/slurm.conf.in" >"$D/slurm.conf"
SLURM_CONF=$D/slurm.conf
export SLURM_CONF

# munge: the Debian package creates the key; /run/munge is normally made by systemd-tmpfiles.
if ! munge -n >/dev/null 2>&1; then
  [ -s /etc/munge/munge.key ] || mungekey --create
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
fi

# Both daemons fork and exit 0 even if they die right after: the readiness loop tells.
/usr/sbin/slurmctld
/usr/sbin/slurmd -N localhost

fail() {
  echo "slurm: $1" >&2
  tail -n 30 "$D"/log/*.log >&2 || true
  exit 1
}
i=0
until [ "$(sinfo -h -N -o %t 2>/dev/null | head -n1)" = idle ]; do
  i=$((i + 1))
  [ $i -le 300 ] || fail "node not idle after 30 s"
  sleep 0.1
done
J=$(sbatch --parsable -o /dev/null -J warmup --wrap true) || fail "warm-up sbatch refused"
i=0
until [ "$(squeue -h -t all -j "$J" -o %T 2>/dev/null)" = COMPLETED ]; do
  i=$((i + 1))
  [ $i -le 300 ] || fail "warm-up job did not complete in 30 s"
  sleep 0.1
done
echo "slurm ready in $D"
echo "SLURM_CONF=$SLURM_CONF"

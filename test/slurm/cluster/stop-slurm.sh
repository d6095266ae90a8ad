#!/bin/sh
# Stops what start-slurm.sh started and removes its directory. Running jobs survive
# `scontrol shutdown` (slurmstepd keeps them), so every job is canceled first.
D=${JOBGATE_SLURM_DIR:-/tmp/jobgate-slurm}
SLURM_CONF=$D/slurm.conf
export SLURM_CONF
wait_gone() {
  i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
    i=$((i + 1))
    sleep 0.1
  done
  if kill -0 "$1" 2>/dev/null; then kill -KILL "$1" 2>/dev/null; fi
}
if [ -f "$SLURM_CONF" ]; then
  # one state per scancel call only, hence the list
  squeue -h -o %A 2>/dev/null | sort -u | xargs -r scancel 2>/dev/null
  i=0
  while [ -n "$(squeue -h 2>/dev/null)" ] && [ $i -lt 150 ]; do
    i=$((i + 1))
    sleep 0.1
  done
  CTLD=$(cat "$D/slurmctld.pid" 2>/dev/null || true)
  SLURMD=$(cat "$D/slurmd.pid" 2>/dev/null || true)
  scontrol shutdown >/dev/null 2>&1
  for p in $CTLD $SLURMD; do wait_gone "$p"; done
fi
M=$(cat /run/munge/munged.pid 2>/dev/null || true)
if [ -n "$M" ]; then
  kill -TERM "$M" 2>/dev/null
  wait_gone "$M"
fi
rm -rf "$D"
echo "slurm stopped"

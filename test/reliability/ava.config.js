// The reliability suite (`npm run test:reliability`, through run.js, which prints the counts):
// load, faults, bad input and graceful stops against real jobgate processes. Two files at a
// time on a 2-core machine: the load figures are reported, never asserted.
// The Slurm faults need a running test cluster (test/slurm/cluster/start-slurm.sh): they are
// part of the run when SLURM_CONF names its configuration, as in CI.
const files = ['dist/test/reliability/*.rtest.js'];
if (process.env.SLURM_CONF) {
  files.push('dist/test/reliability/slurm/*.rtest.js');
}

export default {
  files,
  timeout: '240s',
  workerThreads: false,
  concurrency: 2,
  verbose: true,
};

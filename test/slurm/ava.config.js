// The slurm suite (`npm run test:slurm`): needs a running Slurm; see test/slurm/cluster/.
// Files run in parallel: the longest test waits for Slurm's own time limit (60-90 s).
export default {
  files: ['dist/test/slurm/**/*.test.js'],
  timeout: '240s',
  workerThreads: false,
  concurrency: 6,
  verbose: true,
};

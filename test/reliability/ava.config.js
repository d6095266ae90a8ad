// The reliability suite (`npm run test:reliability`, through run.js, which prints the counts):
// load, faults, bad input and graceful stops against real jobgate processes. Two files at a
// time on a 2-core machine: the load figures are reported, never asserted.
export default {
  files: ['dist/test/reliability/**/*.rtest.js'],
  timeout: '240s',
  workerThreads: false,
  concurrency: 2,
  verbose: true,
};

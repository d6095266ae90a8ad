// The flux integration suite (npm run test:flux): jobgate against a real Flux instance.
// Serial: the tests share one instance and its cores.
export default {
  files: ['dist/test/integration/flux/**/*.itest.js'],
  timeout: '180s',
  workerThreads: false,
  concurrency: 1,
  serial: true,
};

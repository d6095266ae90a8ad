// The layering of src/ (docs/ARCHITECTURE.md, "Layers"), checked by `npm run lint` and by
// test/architecture.test.ts: a rule broken here is a layer that is no longer true.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycle anywhere in src/, type-only imports included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'model-is-the-bottom',
      comment: 'src/model/ holds the shared vocabulary and imports nothing else from src/.',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    {
      name: 'executors-not-domain',
      comment: 'Executors report events; they never reach into the domain.',
      severity: 'error',
      from: { path: '^src/executors/' },
      to: { path: '^src/(domain|http|db|auth)/' },
    },
    {
      name: 'db-below-domain',
      comment: 'The store knows the vocabulary, not the domain, auth or HTTP.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/(domain|auth|http|executors)/' },
    },
    {
      name: 'domain-not-http',
      comment: 'The domain never knows it is served over HTTP.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'http-through-domain',
      comment: 'HTTP goes through the domain: it never reaches into the store or an executor.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(db|executors)/' },
    },
    {
      name: 'output-below-domain',
      comment: 'Output files and followers serve the domain and HTTP, never the other way round.',
      severity: 'error',
      from: { path: '^src/output/' },
      to: { path: '^src/(domain|http|db|auth|executors)/' },
    },
    {
      name: 'lib-and-model-only',
      comment: 'src/lib/ holds small pure helpers: they may use the vocabulary, nothing above it.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/(lib|model)/' },
    },
    {
      name: 'client-never-loads-the-server',
      comment: 'The HTTP client and the CLI commands talk to jobgate over HTTP only.',
      severity: 'error',
      from: { path: '^src/(client|cli/commands|cli/format)/' },
      to: { path: '^src/', pathNot: '^src/(client|cli/commands|cli/format|cli/password-input\\.ts|lib|model|version\\.ts)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    exclude: { path: '^(dist|node_modules)/' },
  },
};

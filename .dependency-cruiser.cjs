// Architecture rules for src/, checked by `npm run deps` (dependency-cruiser) and by
// __tests__/architecture/dependency-rules.test.ts, which also plants a violation of each kind in a copy of
// src/ to show that the rules fire.
//
// The layers, top to bottom; a module may import only from its own layer or a lower one:
//   entry points  src/action/, src/cli/, src/workers/ (the worker-thread entry)
//   jobs          src/jobs/<job>/ (export, backup, restore, ...)
//   shared        src/artifact/, src/results/, src/summary/, src/prancer/, src/mongo/
//   formats       src/ejson/, src/bson/, src/archive/
//   base          src/common/
// Every rule is an error: depcruise exits non-zero when any rule is broken.

const ENTRY = '^src/(action|cli|workers)/'
const JOBS = '^src/jobs/'
const SHARED = '^src/(artifact|results|summary|prancer|mongo)/'
const FORMATS = '^src/(ejson|bson|archive)/'
const COMMON = '^src/common/'
const LAYERS = '^src/(action|cli|workers|jobs|artifact|results|summary|prancer|mongo|ejson|bson|archive|common)/'
// @actions/* packages, whether resolved into node_modules or (not installed) left as the bare name.
const ACTIONS_PACKAGES = ['(^|/)node_modules/@actions/', '^@actions/']

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No import cycles between modules. A cycle means neither side can be understood, tested or moved on its own, ' +
        'and with ESM it makes evaluation order matter (a module can see the other half of the cycle uninitialised).',
      severity: 'error',
      from: {path: '^src/'},
      to: {circular: true}
    },
    {
      name: 'not-in-a-layer',
      comment:
        'Every module under src/ belongs to one of the layers above; a module in a new top-level folder (or directly in src/) ' +
        'would escape every layer rule. Put it in a layer, or add its folder to the layers in .dependency-cruiser.cjs.',
      severity: 'error',
      from: {path: '^src/', pathNot: LAYERS},
      to: {path: '^src/'}
    },
    {
      name: 'action-cli-apart',
      comment:
        'The GitHub Action (src/action/) and the command line (src/cli/) are two independent entry points; ' +
        'what both need belongs in a lower layer, so that neither drags the other (and @actions/*) into its bundle.',
      severity: 'error',
      from: {path: '^src/(action|cli)/'},
      to: {path: '^src/(action|cli)/', pathNot: '^src/$1/'}
    },
    {
      name: 'jobs-not-up',
      comment:
        'Jobs (src/jobs/) are driven by the entry points and must not import them: jobs may use only the shared parts, ' +
        'formats and common.',
      severity: 'error',
      from: {path: JOBS},
      to: {path: '^src/', pathNot: ['^src/(jobs|artifact|results|summary|prancer|mongo|ejson|bson|archive|common)/']}
    },
    {
      name: 'no-cross-job',
      comment:
        'A job never imports another job (not even its types): jobs are independent units, and what two jobs share belongs ' +
        'in the shared layer (or common) below them.',
      severity: 'error',
      from: {path: '^src/jobs/([^/]+)/'},
      to: {path: '^src/jobs/[^/]+/', pathNot: '^src/jobs/$1/'}
    },
    {
      name: 'shared-not-up',
      comment:
        'The shared parts (artifact, results, summary, prancer, mongo) are used by jobs and entry points and must not ' +
        'import them: they may use only the shared layer, formats and common.',
      severity: 'error',
      from: {path: SHARED},
      to: {path: '^src/', pathNot: ['^src/(artifact|results|summary|prancer|mongo|ejson|bson|archive|common)/']}
    },
    {
      name: 'summary-is-top-of-shared',
      comment:
        'src/summary/ renders what the other shared parts produce, so nothing else in the shared layer may import it ' +
        '(that would let the presentation leak into the model and invite cycles).',
      severity: 'error',
      from: {path: '^src/(artifact|results|prancer|mongo)/'},
      to: {path: '^src/summary/'}
    },
    {
      name: 'summary-uses-results-artifact',
      comment:
        'Within the shared layer, src/summary/ may import only src/results/ and src/artifact/ (plus itself): a summary ' +
        'renders results and artifact data, not the Prancer or MongoDB plumbing.',
      severity: 'error',
      from: {path: '^src/summary/'},
      to: {path: '^src/(prancer|mongo)/'}
    },
    {
      name: 'formats-only-formats-common',
      comment:
        'The formats (ejson, bson, archive) are pure encodings: they may import each other and common, nothing above ' +
        '(no jobs, no Prancer or MongoDB knowledge, no entry points).',
      severity: 'error',
      from: {path: FORMATS},
      to: {path: '^src/', pathNot: ['^src/(ejson|bson|archive|common)/']}
    },
    {
      name: 'common-imports-nothing',
      comment: 'src/common/ is the base every other layer builds on, so it imports no other module of ours.',
      severity: 'error',
      from: {path: COMMON},
      to: {path: '^src/', pathNot: COMMON}
    },
    {
      name: 'actions-only-in-action',
      comment:
        'The @actions/* packages exist only inside a GitHub Actions runner; only src/action/ may import them, so that ' +
        'the command line, jobs and everything below run (and are bundled) without them.',
      severity: 'error',
      from: {path: '^src/', pathNot: '^src/action/'},
      to: {path: ACTIONS_PACKAGES}
    }
  ],
  options: {
    // The rules are over src/ only (`npm run deps` cruises src). Packages are not descended into, but the imports
    // of them are still seen, with their resolved paths (for actions-only-in-action).
    doNotFollow: {path: ['node_modules']},
    // `import type` and type-only `export ... from` count: they couple modules just the same.
    tsPreCompilationDeps: true,
    // Resolve the explicit `.ts` imports with the project's own compiler settings.
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json']
    }
  }
}

// Builds the publishable packages into `<package>/dist`, ready for `npm publish <package>/dist`.
// In the workspace every package exports its TypeScript source (Node 24, Vite, workerd and
// esbuild all run it as is), but Node refuses to strip types under node_modules, so what goes to
// a registry is compiled JavaScript with declarations, and a package.json whose exports say so.
//
//   npm run build:packages            # all of them
//   node scripts/build-packages.mjs sdk/node
//   npm run release [-- --dry-run]    # build, then `npm publish` each dist, dependencies first
//
// Versions and changelogs come from changesets (`npx changeset`, then `npm run version-packages`).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
export const PUBLISHED = ['sdk/core', 'sdk/node', 'sdk/browser', 'sdk/react', 'sdk/next', 'sdk/cli'];

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const compiled = (file) => file.replace(/\.tsx?$/, '.js');
const declared = (file) => file.replace(/\.tsx?$/, '.d.ts');

/** `./src/index.ts` → `{ types: './src/index.d.ts', default: './src/index.js' }`; other files as they are. */
function mapExports(exports) {
  const out = {};
  for (const [entry, target] of Object.entries(exports)) {
    out[entry] = /\.tsx?$/.test(target) ? { types: declared(target), default: compiled(target) } : target;
  }
  return out;
}

/** Workspace ranges (`*`) become the version being published alongside. */
function pinWorkspace(deps, versions) {
  if (!deps) return undefined;
  return Object.fromEntries(
    Object.entries(deps).map(([name, range]) => [name, range === '*' && versions[name] ? `^${versions[name]}` : range]),
  );
}

/** Top-level directories of the non-code exports (`./vectors/vectors.json` → `vectors`). */
function nonCodeDirs(exports) {
  const targets = Object.values(exports).filter((t) => !/\.tsx?$/.test(t));
  return [...new Set(targets.map((t) => t.replace(/^\.\//, '').split('/')[0]))];
}

function compile(dir, sources) {
  // Beside the package's own tsconfig, so type packages resolve from its node_modules as usual.
  const config = path.join(dir, `.tsconfig.build-${process.pid}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: path.join(dir, 'tsconfig.json'),
      compilerOptions: { noEmit: false, declaration: true, outDir: path.join(dir, 'dist'), rootDir: dir, sourceMap: false },
      include: sources.map((s) => path.join(dir, s)),
      exclude: [path.join(dir, '**/*.test.ts'), path.join(dir, '**/*.test.tsx')],
    }),
  );
  try {
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', config], { cwd: root, stdio: 'inherit' });
  } finally {
    rmSync(config, { force: true });
  }
}

export function buildPackage(rel, versions) {
  const dir = path.join(root, rel);
  const pkg = readJson(path.join(dir, 'package.json'));
  rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  const sources = ['src', 'bin'].filter((s) => existsSync(path.join(dir, s)));
  compile(dir, sources);
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    // Where it came from and where to report bugs; provenance (npm's signed build attestation)
    // is checked against `repository`, so it must name this repository and directory.
    repository: pkg.repository,
    homepage: pkg.homepage,
    bugs: pkg.bugs,
    publishConfig: pkg.publishConfig,
    type: pkg.type,
    sideEffects: pkg.sideEffects,
    exports: mapExports(pkg.exports),
    // No leading `./`: npm publish drops such a bin as invalid ("errors corrected") and the CLI is lost.
    bin: pkg.bin && Object.fromEntries(Object.entries(pkg.bin).map(([name, file]) => [name, compiled(file).replace(/^\.\//, '')])),
    engines: pkg.engines,
    dependencies: pinWorkspace(pkg.dependencies, versions),
    peerDependencies: pkg.peerDependencies,
    peerDependenciesMeta: pkg.peerDependenciesMeta,
    // What goes in the tarball: the compiled code, non-code exports, the docs. Nothing else in dist.
    files: [...sources, ...nonCodeDirs(pkg.exports), 'README.md', 'CHANGELOG.md'],
  };
  writeFileSync(path.join(dir, 'dist/package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const doc of ['README.md', 'CHANGELOG.md']) {
    if (existsSync(path.join(dir, doc))) copyFileSync(path.join(dir, doc), path.join(dir, 'dist', doc));
  }
  // Non-code exports (the core's test vectors) travel as files.
  for (const target of Object.values(pkg.exports)) {
    if (/\.tsx?$/.test(target)) continue;
    mkdirSync(path.dirname(path.join(dir, 'dist', target)), { recursive: true });
    copyFileSync(path.join(dir, target), path.join(dir, 'dist', target));
  }
  return path.join(dir, 'dist');
}

export function buildPackages(which = PUBLISHED) {
  const versions = Object.fromEntries(
    PUBLISHED.map((rel) => readJson(path.join(root, rel, 'package.json'))).map((p) => [p.name, p.version]),
  );
  return which.map((rel) => buildPackage(rel, versions));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const which = args.filter((a) => !a.startsWith('--'));
  const built = buildPackages(which.length ? which : PUBLISHED);
  for (const out of built) console.log(`built ${path.relative(root, out)}`);
  if (args.includes('--publish')) {
    // PUBLISHED lists dependencies first, so a dependent never names a version not yet on the registry.
    const extra = args.includes('--dry-run') ? ['--dry-run'] : [];
    for (const out of built) execFileSync('npm', ['publish', out, ...extra], { cwd: root, stdio: 'inherit' });
  }
}

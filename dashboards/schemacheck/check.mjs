// Checks dashboard JSON files against Grafana's published dashboard schema.
//
//   node check.mjs DASHBOARD.json...
//
// Each file's text is pasted, verbatim, after
// `export const dashboard: CheckedDashboard = ` on its first line, and tsc
// checks the result. A typed object literal, unlike an imported JSON module,
// gets excess property checks, so an unknown key fails as surely as a wrong
// type. The JSON keeps its line numbers, so tsc's errors are reported
// against the JSON file itself. Exits non-zero when any file fails.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');
const schemaPackage = join(here, 'node_modules', '@grafana', 'schema', 'package.json');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs DASHBOARD.json...');
  process.exit(2);
}
if (!existsSync(tsc) || !existsSync(schemaPackage)) {
  console.error(`typescript or @grafana/schema is not installed: run npm ci in ${here}`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'dashboard-schemacheck-'));
try {
  process.exitCode = check(files, work);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function check(files, work) {
  // Generated file name -> the JSON file it came from.
  const sources = new Map();
  const schema = JSON.stringify(join(here, 'schema'));
  for (const [i, file] of files.entries()) {
    const text = readFileSync(file, 'utf8');
    try {
      // tsc would also accept what JSON does not (comments, trailing commas).
      JSON.parse(text);
    } catch (err) {
      console.error(`${file}: not JSON: ${err.message}`);
      return 1;
    }
    const generated = `${i}-${basename(file, '.json')}.ts`;
    sources.set(generated, file);
    writeFileSync(
      join(work, generated),
      `import type { CheckedDashboard } from ${schema}; export const dashboard: CheckedDashboard = ${text}`,
    );
  }
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({ extends: join(here, 'tsconfig.json'), files: [...sources.keys()] }),
  );

  // Run from the work directory, tsc names each file by its bare name.
  const run = spawnSync(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], {
    cwd: work,
    encoding: 'utf8',
  });
  if (run.error) {
    console.error(`run tsc: ${run.error.message}`);
    return 1;
  }
  const out = (run.stdout + run.stderr).replace(
    /^[^\s(]+\.ts(?=\()/gm,
    (name) => sources.get(name) ?? name,
  );
  process.stdout.write(out);
  if (run.status === 0) {
    const { version } = JSON.parse(readFileSync(schemaPackage, 'utf8'));
    console.log(`ok: ${files.length} file(s) match @grafana/schema ${version}`);
  }
  return run.status ?? 1;
}

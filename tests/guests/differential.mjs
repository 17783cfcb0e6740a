// Differential test: the deterministic guests under wasmgate and under
// Node's WASI (node:wasi, preview1) must print the same stdout and exit with
// the same code.
//
//   node differential.mjs WASMGATE GUEST_DIR(.wasm files) SOURCE_DIR
//
// Exits 0 when every case agrees, 1 otherwise (printing both sides).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WASI } from 'node:wasi';

const [wasmgate, guestDir] = process.argv.slice(2);
if (!wasmgate || !guestDir) {
  console.error('usage: node differential.mjs WASMGATE GUEST_DIR SOURCE_DIR');
  process.exit(2);
}

// Each case: guest, args after the program name, env, stdin, files placed
// in the preopened /sandbox before the run.
const cases = [
  { guest: 'hello', args: [], env: {} },
  { guest: 'hello', args: ['3', 'two words', '--flag'], env: { GREETING: 'hi there', B: '2' } },
  { guest: 'stdin_upper', args: [], env: {}, stdin: 'Hello, WASI!\nline 2 \u00e9\n' },
  { guest: 'files', args: ['/sandbox'], env: {}, files: { 'input.txt': 'first line\nsecond\n' } },
  { guest: 'clock_random', args: [], env: {} },
];

function makeSandbox(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wg-diff-'));
  for (const [name, text] of Object.entries(files ?? {})) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

async function runNode(c, wasm) {
  const sandbox = makeSandbox(c.files);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wg-diff-io-'));
  const outPath = path.join(tmp, 'stdout');
  const inPath = path.join(tmp, 'stdin');
  fs.writeFileSync(inPath, c.stdin ?? '');
  const stdout = fs.openSync(outPath, 'w');
  const stdin = fs.openSync(inPath, 'r');
  const errPath = path.join(tmp, 'stderr');
  const stderr = fs.openSync(errPath, 'w');
  const wasi = new WASI({
    version: 'preview1',
    args: [c.guest + '.wasm', ...c.args],
    env: c.env,
    preopens: { '/sandbox': sandbox },
    returnOnExit: true,
    stdin, stdout, stderr,
  });
  const module = await WebAssembly.compile(fs.readFileSync(wasm));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  let code;
  try {
    code = wasi.start(instance);
  } catch (e) {
    code = `trap: ${e.message}`;
  }
  for (const fd of [stdout, stdin, stderr]) fs.closeSync(fd);
  const out = fs.readFileSync(outPath, 'utf8');
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(sandbox, { recursive: true, force: true });
  return { code, out };
}

function runWasmgate(c, wasm) {
  const sandbox = makeSandbox(c.files);
  const argv = ['run', '--deterministic', '--dir', `${sandbox}::/sandbox`];
  for (const [k, v] of Object.entries(c.env)) argv.push('--env', `${k}=${v}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wg-diff-io-'));
  const inPath = path.join(tmp, 'stdin');
  fs.writeFileSync(inPath, c.stdin ?? '');
  argv.push('--stdin', inPath, wasm, ...c.args);
  const r = spawnSync(wasmgate, argv, { encoding: 'utf8' });
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(sandbox, { recursive: true, force: true });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let failed = 0;
for (const c of cases) {
  const wasm = path.join(guestDir, c.guest + '.wasm');
  const n = await runNode(c, wasm);
  const w = runWasmgate(c, wasm);
  const label = `${c.guest} ${JSON.stringify(c.args)}`;
  if (n.code === w.code && n.out === w.out) {
    console.log(`same   ${label}: exit ${w.code}, ${w.out.length} bytes of stdout`);
  } else {
    ++failed;
    console.log(`DIFFER ${label}`);
    console.log(`  node:     exit ${n.code}\n${n.out}`);
    console.log(`  wasmgate: exit ${w.code}\n${w.out}\n${w.err}`);
  }
}
console.log(`${cases.length - failed} same, ${failed} differ`);
process.exit(failed === 0 ? 0 : 1);

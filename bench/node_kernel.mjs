// Runs one benchmark kernel under Node's WebAssembly (V8):
//   node bench/node_kernel.mjs FILE.wasm
// Compiles and instantiates the module with no imports, calls its `run`
// export once and prints "checksum=<i32> ms=<compile+instantiate+run ms>".
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node node_kernel.mjs FILE.wasm');
  process.exit(2);
}
const bytes = readFileSync(file);
const start = process.hrtime.bigint();
const { instance } = await WebAssembly.instantiate(bytes, {});
if (typeof instance.exports.run !== 'function') {
  console.error(`${file}: no exported function "run"`);
  process.exit(1);
}
const checksum = instance.exports.run();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`checksum=${checksum} ms=${ms.toFixed(3)}`);

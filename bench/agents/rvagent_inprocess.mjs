// Claude Flow's agent operations without its MCP server: the same wrapper
// functions its wasm_agent_create / wasm_agent_tool handlers call
// (@claude-flow/cli dist/src/ruvector/agent-wasm.js over
// @ruvector/rvagent-wasm), called in this process, so that agent_bench.mjs
// can show how much of a tools/call is the agent work itself.
//
//   node rvagent_inprocess.mjs N WARMUP      prints one JSON object:
//   {"create": [ms...], "write_file": [ms...], "cpuMs": {"create": c, "write_file": w}}
// Same workload as agent_bench.mjs: N creates {}, then N writes of 1 KiB to
// distinct paths in one agent, each after WARMUP unmeasured calls.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const [n, warmup] = process.argv.slice(2).map(Number);
if (!(n > 0) || !(warmup >= 0)) {
  console.error("usage: rvagent_inprocess.mjs N WARMUP");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const wasm = await import(pathToFileURL(path.join(here, "node_modules/@claude-flow/cli/dist/src/ruvector/agent-wasm.js")).href);
const content = "x".repeat(1023) + "\n";
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const out = { create: [], write_file: [], cpuMs: {} };

let c0 = 0, writer = null;
for (let i = 0; i < warmup + n; i++) {
  if (i === warmup) c0 = cpu();
  const t = performance.now();
  const info = await wasm.createWasmAgent({});
  if (i >= warmup) out.create.push(performance.now() - t);
  writer = info.id;
}
out.cpuMs.create = cpu() - c0;
for (let i = 0; i < warmup + n; i++) {
  if (i === warmup) c0 = cpu();
  const t = performance.now();
  const r = await wasm.executeWasmTool(writer, { tool: "write_file", path: `/bench/f${i}.txt`, content });
  if (i >= warmup) out.write_file.push(performance.now() - t);
  if (!r?.success) throw new Error(`write_file failed: ${JSON.stringify(r)}`);
}
out.cpuMs.write_file = cpu() - c0;
process.stdout.write(JSON.stringify(out) + "\n");

// Agent-host benchmark: wasmgate's MCP agent tools against Claude Flow's
// (npm @claude-flow/cli, wasm_agent_* tools backed by @ruvector/rvagent-wasm),
// each server started over stdio and driven by this script with raw
// newline-delimited JSON-RPC (no SDK), in the same run.
//
//   node agent_bench.mjs --wasmgate PATH [options]
//
// Options (defaults in brackets):
//   --wasmgate PATH      wasmgate binary; its column is skipped if not given
//   --claude-flow PATH   Claude Flow's stdio MCP entry point
//                        [node_modules/@claude-flow/cli/bin/mcp-server.js here]
//   --servers LIST       comma-separated subset of wasmgate,claude-flow [both]
//   --n N                measured calls per operation [200]
//   --m M                idle agents created for the memory figure [200]
//   --warmup W           unmeasured calls of each operation first [10]
//   --json FILE          write the full results (every sample) there
//   --md FILE            write the markdown table there (it is always printed)
//
// Per server, in a fresh temporary directory (its cwd, HOME and --state):
//   1. spawn, `initialize` (timed: start-up), `notifications/initialized`,
//      `tools/list` (the needed tools must be there);
//   2. W warm-up calls of each operation, then N sequential calls of:
//      create     wasm_agent_create {}                 (wasmgate: {name})
//      write_file wasm_agent_tool write_file, 1 KiB content, N distinct
//                 paths /bench/f<i>.txt in ONE agent
//      run        (wasmgate only; Claude Flow has no such tool)
//                 wasm_agent_run {program: "wc", args: ["-c", "/f.txt"]} in an
//                 agent created with runtimes ["coreutils"] and tools
//                 [read_file, write_file, run]; the output must say 1024;
//      each latency is performance.now() from writing the request to parsing
//      its reply (client-side round trip); every reply is checked for
//      success, so a failing tool fails the benchmark instead of timing
//      error paths, and the last written file is read back (untimed);
//   3. the server is closed and a NEW one started for memory: after one
//      warm-up agent and one wasm_gallery_list call, VmRSS (from /proc/PID/status, summed over the process
//      and any descendants) before and after creating M more agents; memory
//      per idle agent = (after - before) / M. The "after" figure is read once
//      the last reply has arrived and again 1 s later (the table uses the
//      later one; both are in the JSON). Then M calls of the read-only
//      wasm_gallery_list and a last reading: RSS growth per call that
//      creates nothing (a per-call cost, not a per-agent one).
//      Claude Flow's server runs in this phase with gc_hook.cjs preloaded
//      (node --expose-gc): before each reading it is also made to run a full
//      GC, and RSS plus V8's heapUsed are read again, so that garbage not
//      yet collected is not counted as agent memory. wasmgate has no GC:
//      its readings are taken as they are.
//   4. (with claude-flow) the same create / write_file workload through
//      Claude Flow's own wrapper functions in a separate Node process, with
//      no MCP server (rvagent_inprocess.mjs): the agent work alone; its CPU
//      column is that process's CPU time over the N calls / N.
// Output: a markdown table (p50 / p99 / mean / first-10 % and last-10 % mean
// per operation; the server's user+system CPU time over the N calls / N,
// from /proc/PID/stat, which moves much less than wall time on a busy
// machine; memory per idle agent) and, with --json, every sample.
// Exit status: 0 ok, 1 a server or call failed, 2 usage error.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

// ---- arguments --------------------------------------------------------------
function usage(msg) {
  console.error(`agent_bench: ${msg}\nusage: node agent_bench.mjs --wasmgate PATH [--claude-flow PATH] ` +
    "[--servers wasmgate,claude-flow] [--n N] [--m M] [--warmup W] [--json FILE] [--md FILE]");
  process.exit(2);
}
const opts = {
  wasmgate: null,
  claudeFlow: path.join(here, "node_modules/@claude-flow/cli/bin/mcp-server.js"),
  servers: ["wasmgate", "claude-flow"],
  n: 200, m: 200, warmup: 10, json: null, md: null,
};
{
  const argv = process.argv.slice(2);
  const count = (v, name) => {
    if (!/^[0-9]+$/.test(v ?? "")) usage(`${name} needs a non-negative integer`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    switch (a) {
      case "--wasmgate": opts.wasmgate = v && path.resolve(v); i++; break;  // the servers run in other cwds
      case "--claude-flow": opts.claudeFlow = v && path.resolve(v); i++; break;
      case "--servers": opts.servers = (v ?? "").split(",").filter(Boolean); i++; break;
      case "--n": opts.n = count(v, a); i++; break;
      case "--m": opts.m = count(v, a); i++; break;
      case "--warmup": opts.warmup = count(v, a); i++; break;
      case "--json": opts.json = v; i++; break;
      case "--md": opts.md = v; i++; break;
      default: usage(`unknown argument ${a}`);
    }
  }
  for (const s of opts.servers) if (!["wasmgate", "claude-flow"].includes(s)) usage(`unknown server ${s}`);
  if (opts.servers.includes("wasmgate") && !opts.wasmgate) usage("--wasmgate PATH is required (or --servers claude-flow)");
  if (opts.n < 1) usage("--n must be at least 1");
}

// ---- a JSON-RPC client over a child's stdio -----------------------------------
class StdioServer {
  constructor(name, command, args, cwd, env) {
    this.name = name;
    this.child = spawn(command, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    this.pending = new Map();
    this.nextId = 1;
    this.stderr = "";
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => resolve({ code, signal }));
      this.child.on("error", (e) => {  // not started: there will be no "exit"
        this.failAll(new Error(`${name}: spawn failed: ${e.message}`));
        resolve({ code: null, signal: null });
      });
    });
    this.child.stdin.on("error", () => { /* EPIPE after an early exit: reported by the exit handler */ });
    this.exited.then(({ code, signal }) =>
      this.failAll(new Error(`${name}: exited (code ${code}, signal ${signal}); stderr tail:\n${this.stderr.slice(-2000)}`)));
    this.gcWaiters = [];
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (d) => { this.stderr = (this.stderr + d).slice(-20000); });
    readline.createInterface({ input: this.child.stderr }).on("line", (line) => {
      if (line.startsWith("agent_bench-gc ") && this.gcWaiters.length) this.gcWaiters.shift()(JSON.parse(line.slice(15)));
    });
    readline.createInterface({ input: this.child.stdout }).on("line", (line) => this.onLine(line));
  }
  failAll(err) {
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
    this.dead = err;
  }
  onLine(line) {
    const t = performance.now();
    let msg;
    try { msg = JSON.parse(line); } catch { return; }  // not JSON-RPC (a log line on stdout)
    if (msg.id === undefined || msg.id === null || !this.pending.has(msg.id)) return;
    const { resolve, reject } = this.pending.get(msg.id);
    this.pending.delete(msg.id);
    if (msg.error) reject(new Error(`${this.name}: JSON-RPC error ${msg.error.code}: ${msg.error.message}`));
    else resolve({ result: msg.result, t });
  }
  // Resolves to {result, ms}: ms from writing the request to parsing the reply.
  request(method, params) {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: ({ result, t }) => resolve({ result, ms: t - t0 }),
        reject,
      });
      const t0 = performance.now();
      this.child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  }
  // Only with gc_hook.cjs preloaded: full GC in the server; resolves to its
  // process.memoryUsage() once the server has written it.
  collectGarbage() {
    return new Promise((resolve) => {
      this.gcWaiters.push(resolve);
      this.child.kill("SIGUSR2");
    });
  }
  notify(method, params) {
    this.child.stdin.write(JSON.stringify({ jsonrpc: "2.0", method, params }) + "\n");
  }
  async close() {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---- memory: VmRSS of a process and its descendants ---------------------------
function vmRssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}
// user + system CPU time of a process and its descendants, in ms
// (/proc/PID/stat fields 14 and 15, in clock ticks; USER_HZ is 100 on Linux).
const kTickMs = 10;
function cpuMs(pid) {
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");  // fields from 3 on
      total += (Number(fields[11]) + Number(fields[12])) * kTickMs;
    } catch { /* gone */ }
  }
  return total;
}
function descendants(pid) {
  const out = [];
  let tasks = [];
  try { tasks = readdirSync(`/proc/${pid}/task`); } catch { return out; }
  for (const t of tasks) {
    let kids = "";
    try { kids = readFileSync(`/proc/${pid}/task/${t}/children`, "utf8"); } catch { continue; }
    for (const k of kids.split(/\s+/).filter(Boolean)) out.push(Number(k), ...descendants(Number(k)));
  }
  return out;
}
function treeRss(pid) {
  const kids = descendants(pid);
  let kib = vmRssKiB(pid);
  for (const k of kids) { try { kib += vmRssKiB(k); } catch { /* gone */ } }
  return { kib, children: kids.length };
}
function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

// ---- the two servers ----------------------------------------------------------
// Each adapter: start(dir) -> StdioServer; tool-call argument builders; a
// checker that turns a tools/call result into a plain object or throws.
const kContent = "x".repeat(1023) + "\n";  // 1 KiB

const adapters = {
  wasmgate: {
    label: "wasmgate",
    start(dir) {
      return new StdioServer("wasmgate", opts.wasmgate, ["serve", "--stdio", "--state", path.join(dir, "state")], dir,
        { ...process.env, HOME: dir });
    },
    tools: ["wasm_agent_create", "wasm_agent_tool", "wasm_agent_run"],
    unwrap(result, what) {
      if (result.isError) throw new Error(`wasmgate: ${what}: ${JSON.stringify(result.content)}`);
      return result.structuredContent ?? {};
    },
    createArgs: (i) => ({ name: `bench-${i}` }),
    agentId: (o) => o.agentId,
    runAgentArgs: { name: "runner", runtimes: ["coreutils"], tools: ["read_file", "write_file", "run"] },
    hasRun: true,
  },
  "claude-flow": {
    label: "Claude Flow",
    start(dir, { gcHook = false } = {}) {
      // HOME too: its policy layer keeps a trust key under ~/.config/ruflo.
      const pre = gcHook ? ["--expose-gc", "--require", path.join(here, "gc_hook.cjs")] : [];
      return new StdioServer("claude-flow", process.execPath, [...pre, opts.claudeFlow], dir, { ...process.env, HOME: dir });
    },
    gcHook: true,
    tools: ["wasm_agent_create", "wasm_agent_tool"],
    // bin/mcp-server.js wraps the tool handler's own {content, isError} as
    // JSON text inside one text item, so the real outcome is one level down.
    unwrap(result, what) {
      const outer = JSON.parse(result.content?.[0]?.text ?? "null");
      if (!outer || outer.isError) throw new Error(`claude-flow: ${what}: ${JSON.stringify(outer)}`);
      const inner = JSON.parse(outer.content?.[0]?.text ?? "null");
      if (!inner || inner.error || inner.success === false) throw new Error(`claude-flow: ${what}: ${JSON.stringify(inner)}`);
      return inner;
    },
    createArgs: () => ({}),
    agentId: (o) => o.agent?.id,
    hasRun: false,
  },
};

// Temporary directories, removed at exit whatever happened.
const tempDirs = [];
function makeTempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

async function startAndInit(adapter, dir, startOptions = {}) {
  const t0 = performance.now();
  const server = adapter.start(dir, startOptions);
  try {
    await server.request("initialize", {
      protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "agent_bench", version: "1" },
    });
    const startupMs = performance.now() - t0;
    server.notify("notifications/initialized", {});
    const { result } = await server.request("tools/list", {});
    const names = new Set((result.tools ?? []).map((t) => t.name));
    for (const t of adapter.tools) if (!names.has(t)) throw new Error(`${adapter.label}: tool ${t} missing from tools/list`);
    return { server, startupMs, toolCount: names.size };
  } catch (e) {
    await server.close();
    throw e;
  }
}

async function call(server, adapter, name, args, what) {
  const { result, ms } = await server.request("tools/call", { name, arguments: args });
  return { out: adapter.unwrap(result, what), ms };
}

async function create(server, adapter, i, args = adapter.createArgs(i)) {
  const { out, ms } = await call(server, adapter, "wasm_agent_create", args, "create");
  const id = adapter.agentId(out);
  if (typeof id !== "string" || !id) throw new Error(`${adapter.label}: create returned no agent id: ${JSON.stringify(out)}`);
  return { id, ms };
}

async function writeFile(server, adapter, agentId, filePath) {
  const { ms } = await call(server, adapter, "wasm_agent_tool",
    { agentId, toolName: "write_file", toolInput: { path: filePath, content: kContent } }, `write_file ${filePath}`);
  return ms;
}

async function runWc(server, adapter, agentId) {
  const { out, ms } = await call(server, adapter, "wasm_agent_run",
    { agentId, program: "wc", args: ["-c", "/f.txt"] }, "run wc");
  if (!/\b1024\b/.test(out.stdout ?? "")) throw new Error(`wasmgate: run wc printed ${JSON.stringify(out)}`);
  return ms;
}

async function latencyPhase(key) {
  const adapter = adapters[key];
  const dir = makeTempDir(`agent-bench-${key}-`);
  const { server, startupMs, toolCount } = await startAndInit(adapter, dir);
  const samples = { create: [], write_file: [] };
  const firstCall = {};
  const cpu = {};  // server CPU ms over the N measured calls of each operation
  const pid = server.child.pid;
  let cpu0 = 0;
  const mark = (i) => { if (i === opts.warmup) cpu0 = cpuMs(pid); };
  try {
    // create
    for (let i = 0; i < opts.warmup + opts.n; i++) {
      mark(i);
      const { ms } = await create(server, adapter, i);
      if (i === 0) firstCall.create = ms;
      if (i >= opts.warmup) samples.create.push(ms);
    }
    cpu.create = cpuMs(pid) - cpu0;
    // write_file: one agent, distinct paths
    const { id: writer } = await create(server, adapter, -1);
    for (let i = 0; i < opts.warmup + opts.n; i++) {
      mark(i);
      const ms = await writeFile(server, adapter, writer, `/bench/f${i}.txt`);
      if (i === 0) firstCall.write_file = ms;
      if (i >= opts.warmup) samples.write_file.push(ms);
    }
    cpu.write_file = cpuMs(pid) - cpu0;
    {  // the writes really happened: read the last file back (not timed)
      const last = `/bench/f${opts.warmup + opts.n - 1}.txt`;
      const { out } = await call(server, adapter, "wasm_agent_tool",
        { agentId: writer, toolName: "read_file", toolInput: { path: last } }, `read_file ${last}`);
      if (!JSON.stringify(out).includes("x".repeat(1023))) {
        throw new Error(`${adapter.label}: read_file ${last} did not return the written content: ${JSON.stringify(out).slice(0, 300)}`);
      }
    }
    // run
    if (adapter.hasRun) {
      samples.run = [];
      const { id: runner } = await create(server, adapter, -2, adapter.runAgentArgs);
      await writeFile(server, adapter, runner, "/f.txt");
      for (let i = 0; i < opts.warmup + opts.n; i++) {
        mark(i);
        const ms = await runWc(server, adapter, runner);
        if (i === 0) firstCall.run = ms;
        if (i >= opts.warmup) samples.run.push(ms);
      }
      cpu.run = cpuMs(pid) - cpu0;
    }
  } finally {
    await server.close();
  }
  const stateBytes = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  return { startupMs, toolCount, samples, firstCall, cpu, stateBytes };
}

const settle = (ms) => new Promise((r) => setTimeout(r, ms));

async function memoryPhase(key) {
  const adapter = adapters[key];
  const dir = makeTempDir(`agent-bench-mem-${key}-`);
  const gc = adapter.gcHook === true;
  const { server } = await startAndInit(adapter, dir, { gcHook: gc });
  const pid = server.child.pid;
  // RSS after a forced full GC (Claude Flow only), with V8's own heap figures.
  const gcRss = async () => (gc ? { usage: await server.collectGarbage(), ...treeRss(pid) } : null);
  let r;
  try {
    // Warm-up: lazily initialised code (Claude Flow's wasm module, the gallery).
    await create(server, adapter, -1);
    await call(server, adapter, "wasm_gallery_list", {}, "gallery list");
    const before = treeRss(pid);
    const beforeGc = await gcRss();
    for (let i = 0; i < opts.m; i++) await create(server, adapter, i);
    const after = treeRss(pid);
    await settle(1000);  // benchmark only: let the server's allocator / GC settle before the second reading
    const afterIdle = treeRss(pid);
    const afterGc = await gcRss();
    // The same number of read-only calls that create nothing: how much of
    // the growth is per call rather than per agent (Claude Flow keeps a
    // receipt of every call in memory and in .claude-flow/policy/state.json).
    for (let i = 0; i < opts.m; i++) await call(server, adapter, "wasm_gallery_list", {}, "gallery list");
    await settle(1000);
    const afterReads = treeRss(pid);
    const afterReadsGc = await gcRss();
    r = {
      gc: gc ? { before: beforeGc, afterAgents: afterGc, afterReads: afterReadsGc } : null,
      perAgentAfterGcKiB: gc && opts.m ? (afterGc.kib - beforeGc.kib) / opts.m : null,
      perAgentHeapUsedKiB: gc && opts.m ? (afterGc.usage.heapUsed - beforeGc.usage.heapUsed) / 1024 / opts.m : null,
      perReadCallAfterGcKiB: gc && opts.m ? (afterReadsGc.kib - afterGc.kib) / opts.m : null,
      rssAfterReadsKiB: afterReads.kib,
      perReadCallKiB: opts.m ? (afterReads.kib - afterIdle.kib) / opts.m : null,
      rssBeforeKiB: before.kib, rssAfterKiB: after.kib, rssAfterIdleKiB: afterIdle.kib,
      children: Math.max(before.children, after.children, afterIdle.children),
      perAgentKiB: opts.m ? (afterIdle.kib - before.kib) / opts.m : null,
      perAgentImmediateKiB: opts.m ? (after.kib - before.kib) / opts.m : null,
    };
  } finally {
    await server.close();
  }
  r.stateBytes = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  return r;
}

// ---- statistics -----------------------------------------------------------------
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];  // nearest rank
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const tenth = Math.max(1, Math.floor(xs.length / 10));
  return {
    n: xs.length, p50: rank(50), p99: rank(99), mean: mean(xs), min: s[0], max: s[s.length - 1],
    firstTenthMean: mean(xs.slice(0, tenth)), lastTenthMean: mean(xs.slice(-tenth)),
  };
}

// ---- main -------------------------------------------------------------------------
const f2 = (x) => (x === undefined || x === null ? "—" : x < 10 ? x.toFixed(2) : x.toFixed(1));
const results = {
  date: new Date().toISOString(),
  loadavgStart: loadavg(),
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
  node: process.version,
  options: { n: opts.n, m: opts.m, warmup: opts.warmup },
  servers: {},
};
let failed = false;
for (const key of opts.servers) {
  const label = adapters[key].label;
  try {
    console.error(`agent_bench: ${label}: latency (${opts.warmup} + ${opts.n} calls per operation) ...`);
    const lat = await latencyPhase(key);
    console.error(`agent_bench: ${label}: memory (${opts.m} idle agents) ...`);
    const mem = await memoryPhase(key);
    const ops = {};
    for (const [op, xs] of Object.entries(lat.samples)) {
      ops[op] = { ...stats(xs), cpuMsPerCall: lat.cpu[op] / xs.length, firstCallMs: lat.firstCall[op], samples: xs };
    }
    results.servers[key] = { label, startupMs: lat.startupMs, toolCount: lat.toolCount, latencyStateBytes: lat.stateBytes, ops, memory: mem };
  } catch (e) {
    failed = true;
    results.servers[key] = { label, error: String(e.message ?? e) };
    console.error(`agent_bench: ${label}: FAILED: ${e.message ?? e}`);
  }
}
// Claude Flow's agent work alone, in a child Node process, without its MCP
// server and policy layer (rvagent_inprocess.mjs): what a tools/call adds.
if (opts.servers.includes("claude-flow")) {
  const label = "Claude Flow, in-process (no MCP)";
  try {
    console.error(`agent_bench: ${label} ...`);
    const child = spawn(process.execPath, [path.join(here, "rvagent_inprocess.mjs"), String(opts.n), String(opts.warmup)],
      { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    if (code !== 0) throw new Error(`rvagent_inprocess.mjs exited ${code}: ${stderr.slice(-500)}`);
    const raw = JSON.parse(stdout);
    const ops = {};
    for (const op of ["create", "write_file"]) ops[op] = { ...stats(raw[op]), cpuMsPerCall: raw.cpuMs[op] / raw[op].length, samples: raw[op] };
    results.servers["claude-flow-inprocess"] = { label, ops, inProcess: true };
  } catch (e) {
    failed = true;
    results.servers["claude-flow-inprocess"] = { label, error: String(e.message ?? e) };
    console.error(`agent_bench: ${label}: FAILED: ${e.message ?? e}`);
  }
}
results.loadavgEnd = loadavg();

const lines = [];
lines.push(`N=${opts.n} calls per operation after ${opts.warmup} warm-up calls, M=${opts.m} idle agents; ` +
  `load average ${results.loadavgStart.map((x) => x.toFixed(2)).join(" ")} at start, ` +
  `${results.loadavgEnd.map((x) => x.toFixed(2)).join(" ")} at end; ${results.date}`);
lines.push("");
lines.push("| server | operation | p50 ms | p99 ms | mean ms | first 10 % mean ms | last 10 % mean ms | server CPU ms per call | first call ms |");
lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const [key, r] of Object.entries(results.servers)) {
  if (r.error) { lines.push(`| ${r.label} | FAILED | ${r.error.split("\n")[0].replaceAll("|", "\\|")} | | | | | | |`); continue; }
  for (const op of ["create", "write_file", "run"]) {
    const s = r.ops[op];
    if (!s) { lines.push(`| ${r.label} | ${op} | n/a | n/a | n/a | | | | |`); continue; }
    lines.push(`| ${r.label} | ${op} | ${f2(s.p50)} | ${f2(s.p99)} | ${f2(s.mean)} | ${f2(s.firstTenthMean)} | ${f2(s.lastTenthMean)} | ${f2(s.cpuMsPerCall)} | ${f2(s.firstCallMs)} |`);
  }
}
lines.push("");
lines.push("| server | start-up ms (spawn → initialize reply) | RSS before KiB | RSS after M agents KiB | memory per idle agent KiB | same, after forced GC KiB | RSS growth per read-only call KiB (after GC) | child processes | state on disk after M agents (+ M reads) |");
lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of Object.values(results.servers)) {
  if (r.error || r.inProcess) continue;
  const m = r.memory;
  lines.push(`| ${r.label} | ${f2(r.startupMs)} | ${m.rssBeforeKiB} | ${m.rssAfterIdleKiB} | ${f2(m.perAgentKiB)} | ${m.gc ? `${f2(m.perAgentAfterGcKiB)} (V8 heap ${f2(m.perAgentHeapUsedKiB)})` : "no GC"} | ${f2(m.perReadCallKiB)}${m.gc ? ` (${f2(m.perReadCallAfterGcKiB)})` : ""} | ${m.children} | ${(m.stateBytes / 1024).toFixed(0)} KiB |`);
}
const md = lines.join("\n") + "\n";
process.stdout.write(md);
if (opts.md) writeFileSync(opts.md, md);
if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 2) + "\n");
for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);

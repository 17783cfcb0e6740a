// Crash-safety test of the agent host: kills `wasmgate serve --stdio` with
// SIGKILL at random moments while it is under load, restarts it on the same
// state directory, and checks that
//   - every acknowledged change is there (each acknowledged write_file's
//     file has exactly the acknowledged content),
//   - nothing is half-applied: every file that exists has the content of
//     one complete write, each agent's recorded state digest matches its
//     live state (the server refuses to load an agent whose digest does not
//     match and says so on stderr: we require no such warning), and its
//     journal ends at that state.
//
//   node sigkill.mjs WASMGATE [ROUNDS] [SEED]
//
// The kill point is "after N acknowledgements" with N drawn from a seeded
// generator (printed, so a failure can be replayed): no sleeps or timers.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [wasmgate, roundsArg = '6', seedArg] = process.argv.slice(2);
if (!wasmgate) {
  console.error('usage: node sigkill.mjs WASMGATE [ROUNDS] [SEED]');
  process.exit(2);
}
const rounds = Number(roundsArg);
let seed = seedArg ? Number(seedArg) : Date.now() % 1_000_000;
console.log(`sigkill: seed ${seed}, ${rounds} rounds`);
const random = () => {
  // xorshift32, deterministic from the seed
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 0x100000000;
};

const state = mkdtempSync(join(tmpdir(), 'wasmgate-sigkill-'));
let failures = 0;
const check = (ok, message) => {
  if (!ok) {
    failures++;
    console.error(`FAIL: ${message}`);
  }
};

// A server on `state` with a JSON-RPC client over its stdio.
function startServer() {
  const child = spawn(wasmgate, ['serve', '--stdio', '--state', state, '--workers', '4'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const pending = new Map();
  let nextId = 1;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const msg = JSON.parse(line);
    const waiter = pending.get(msg.id);
    if (waiter) {
      pending.delete(msg.id);
      waiter.resolve(msg);
    }
  });
  child.stdin.on('error', () => {}); // writes after a kill
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  const notify = (method, params) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
  const call = async (name, args) => {
    const msg = await request('tools/call', { name, arguments: args });
    if (msg.error) throw new Error(`${name}: JSON-RPC error ${JSON.stringify(msg.error)}`);
    return msg.result;
  };
  const init = async () => {
    await request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'sigkill', version: '1' },
    });
    notify('notifications/initialized', {});
  };
  const abandonPending = () => {
    for (const w of pending.values()) w.reject(new Error('server killed'));
    pending.clear();
  };
  return { child, call, init, exited, stderr: () => stderr, abandonPending };
}

// Expected state: path -> content of the last acknowledged write, per agent;
// plus every content ever sent (acknowledged or not) so that a file present
// after a crash can be checked to hold one complete write.
const agents = [];
const acknowledged = new Map(); // `${agent}:${path}` -> content
const sent = new Map(); // `${agent}:${path}` -> Set(content)

let server = startServer();
await server.init();
for (let i = 0; i < 3; i++) {
  const r = await server.call('wasm_agent_create', { name: `crash-${i}` });
  check(!r.isError, `create agent ${i}: ${r.content?.[0]?.text}`);
  agents.push(r.structuredContent.agentId);
}

let writeNo = 0;
for (let round = 0; round < rounds; round++) {
  const killAfter = 5 + Math.floor(random() * 60);
  let acks = 0;
  let killed = false;
  // Keep 8 writes in flight across the agents; kill after `killAfter` acks.
  const inFlight = new Set();
  const issue = () => {
    const agentId = agents[writeNo % agents.length];
    const path = `/r${round}/f${writeNo % 17}.txt`;
    const content = `round ${round} write ${writeNo} `.repeat(1 + (writeNo % 50));
    writeNo++;
    const key = `${agentId}:${path}`;
    if (!sent.has(key)) sent.set(key, new Set());
    sent.get(key).add(content);
    const p = server
      .call('wasm_agent_tool', { agentId, toolName: 'write_file', toolInput: { path, content } })
      .then((r) => {
        if (killed) return;
        check(!r.isError, `write ${path}: ${r.content?.[0]?.text}`);
        acknowledged.set(key, content);
        acks++;
        if (acks === killAfter) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      })
      .catch(() => {})
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  while (!killed) {
    while (inFlight.size < 8 && !killed) issue();
    await Promise.race(inFlight);
  }
  const { signal } = await server.exited;
  server.abandonPending();
  check(signal === 'SIGKILL', `round ${round}: server ended by ${signal}, not SIGKILL`);

  // Restart and verify.
  server = startServer();
  await server.init();
  const list = await server.call('wasm_agent_list', {});
  const live = new Set(list.structuredContent.agents.map((a) => a.agentId));
  for (const id of agents) check(live.has(id), `round ${round}: agent ${id} lost`);
  check(!/not restored/.test(server.stderr()), `round ${round}: server skipped agents: ${server.stderr()}`);
  for (const [key, content] of acknowledged) {
    const [agentId, path] = key.split(/:(.*)/s);
    const r = await server.call('wasm_agent_tool', { agentId, toolName: 'read_file', toolInput: { path } });
    const got = r.structuredContent?.content;
    // A later unacknowledged write may have landed too: then it must be one
    // complete write that was sent.
    check(!r.isError && (got === content || sent.get(key).has(got)),
      `round ${round}: ${key} holds ${JSON.stringify(got)?.slice(0, 60)}, expected the acknowledged write`);
    if (got !== content) acknowledged.set(key, got);
  }
  for (const agentId of agents) {
    const st = await server.call('wasm_agent_state', { agentId });
    const j = await server.call('wasm_agent_journal', { agentId, afterSeq: Math.max(0, st.structuredContent.journalSeq - 1) });
    const last = j.structuredContent.entries.at(-1);
    check(last && last.stateDigest === st.structuredContent.stateDigest,
      `round ${round}: ${agentId} journal ends at ${last?.stateDigest}, state is ${st.structuredContent.stateDigest}`);
    // Every file present holds one complete write.
    const files = await server.call('wasm_agent_files', { agentId });
    for (const e of files.structuredContent.entries) {
      if (e.type !== 'file') continue;
      const key = `${agentId}:${e.path}`;
      const r = await server.call('wasm_agent_tool', { agentId, toolName: 'read_file', toolInput: { path: e.path } });
      check(sent.get(key)?.has(r.structuredContent?.content), `round ${round}: ${key} holds a torn write`);
    }
  }
  console.log(`round ${round}: killed after ${killAfter} acks; ${acknowledged.size} files verified`);
}
server.child.kill('SIGTERM');
await server.exited;
rmSync(state, { recursive: true, force: true });
if (failures > 0) {
  console.error(`sigkill: ${failures} checks failed`);
  process.exit(1);
}
console.log(`sigkill: ${rounds} kills survived, every acknowledged write present, nothing torn`);

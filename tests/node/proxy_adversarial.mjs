// Adversarial envelopes through `wasmgate proxy` in front of a real upstream
// (@modelcontextprotocol/server-everything over stdio, behind
// proxy_recorder.mjs, which logs every byte the upstream receives), with
// the official TypeScript SDK client as the well-behaved client:
//
//   node proxy_adversarial.mjs WASMGATE stdio|http
//
// Each hostile message (raw bytes on the client's connection: the stdio
// pipe, or a POST in the SDK client's HTTP session) must get a clear
// JSON-RPC error (or an isError result), after which the SDK client's next
// valid call still works. Cases: non-JSON, invalid UTF-8, duplicate keys
// and case-variant keys in the envelope, in params and in the arguments,
// a batch, a line/body over the 4 MiB limit, an unknown method, and
// look-alike tool names (Cyrillic "е", zero-width space, fullwidth, case)
// for a hidden tool and for a tool with a deny rule.
// At the end the upstream's log proves that nothing unchecked reached it:
// exactly the valid calls' tools/call requests, no secret, no look-alike.
// No sleeps: every wait is on an event; one watchdog fails a hang.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

import { startListening } from "./listening.mjs";

const [wasmgate, transportName] = process.argv.slice(2);
if (!wasmgate || !["stdio", "http"].includes(transportName)) {
  console.error("usage: proxy_adversarial.mjs WASMGATE stdio|http");
  process.exit(2);
}

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const everything = path.join(
  path.dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist",
  "index.js",
);
const kWatchdogMs = 60_000;
const kLimit = 4 * 1024 * 1024; // the proxy's message size limit (mcp::JsonLimits::max_bytes)

const policy = `version: "1"
default: allow
hide:
  - get-env
tools:
  echo:
    rules:
      - name: no-secrets
        conditions:
          - not:
              path: args.message
              op: contains
              value: secret
        on_deny: secrets stay home
`;

const dir = mkdtempSync(path.join(tmpdir(), "wasmgate-adversarial-"));
const policyFile = path.join(dir, "policy.yaml");
const upstreamLog = path.join(dir, "upstream.log");
writeFileSync(policyFile, policy);
const upstream = [process.execPath, path.join(here, "proxy_recorder.mjs"), upstreamLog, process.execPath, everything, "stdio"];
const proxyArgs = ["proxy", "--policy", policyFile, "--state", path.join(dir, "state")];

let proxyLog = "";
let child = null;
let client = null;
let passed = 0;

class CheckFailed extends Error {}
function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? "" : `: ${detail}`}`);
  passed++;
}
const show = (v) => {
  const s = JSON.stringify(v);
  return s && s.length > 400 ? `${s.slice(0, 400)}...` : s;
};

async function cleanup() {
  try {
    if (client) await client.close();
  } catch {
    // already gone
  }
  if (child && child.exitCode === null) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}

async function fail(message) {
  console.error(`proxy_adversarial (${transportName}): FAILED: ${message}`);
  if (proxyLog) console.error(`--- proxy stderr\n${proxyLog.slice(-4000)}`);
  await cleanup();
  process.exit(1);
}

const watchdog = setTimeout(() => fail(`no result after ${kWatchdogMs} ms (hang)`), kWatchdogMs);

// ---- stdio: an SDK Transport over the proxy's pipes that can also send raw bytes

class RawStdioTransport {
  constructor(command, args) {
    this.command = command;
    this.args = args;
    this.rawWaiters = [];
  }

  async start() {
    child = spawn(this.command, this.args, { stdio: ["pipe", "pipe", "pipe"] });
    child.stderr.on("data", (d) => {
      proxyLog += d.toString();
    });
    child.on("exit", (code, signal) => {
      if (this.closing) return;
      fail(`the proxy exited (code ${code}, signal ${signal})`);
    });
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return fail(`the proxy wrote a line that is not JSON: ${line.slice(0, 200)}`);
      }
      // Answers to the raw messages: id null (no usable id), "adv-*", or an array.
      const raw = Array.isArray(msg) || msg.id === null || (typeof msg.id === "string" && msg.id.startsWith("adv-"));
      if (raw) {
        const waiter = this.rawWaiters.shift();
        if (!waiter) return fail(`unexpected answer ${show(msg)}`);
        return waiter(msg);
      }
      this.onmessage?.(msg);
    });
  }

  async send(message) {
    child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  async close() {
    this.closing = true;
    child.stdin.end();
    this.onclose?.();
  }

  // Writes `bytes` (a Buffer or string) plus a newline; resolves with the answer.
  raw(bytes) {
    return new Promise((resolve) => {
      this.rawWaiters.push(resolve);
      child.stdin.write(Buffer.concat([Buffer.from(bytes), Buffer.from("\n")]));
    });
  }
}

async function startHttpProxy() {
  let url;
  ({ child, url } = await startListening(wasmgate, [...proxyArgs, "--http", "127.0.0.1:0", "--", ...upstream], {
    onLine: (line) => {
      proxyLog += `${line}\n`;
    },
  }));
  return url;
}

// HTTP: a raw POST in the SDK client's session; resolves with
// { status, msg } (msg: the JSON-RPC answer, from JSON or the first SSE event).
async function rawPost(url, transport, bytes) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": transport.sessionId,
      "mcp-protocol-version": transport.protocolVersion ?? "2025-11-25",
    },
    body: Buffer.from(bytes),
  });
  const body = await response.text();
  let msg = null;
  try {
    if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      const data = body.split("\n").find((l) => l.startsWith("data:"));
      msg = data ? JSON.parse(data.slice(5)) : null;
    } else if (body) {
      msg = JSON.parse(body);
    }
  } catch {
    msg = { unparsable: body.slice(0, 200) };
  }
  return { status: response.status, msg };
}

// HTTP: writes the head of a POST announcing `body`'s length on a socket
// and resolves with what the server answered before closing.
function oversizedPost(url, transport, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname);
    const chunks = [];
    socket.on("connect", () => {
      socket.write(
        `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\n` +
          `Accept: application/json, text/event-stream\r\nMcp-Session-Id: ${transport.sessionId}\r\n` +
          `MCP-Protocol-Version: ${transport.protocolVersion ?? "2025-11-25"}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      // Only the head: the limit applies before any body byte is read
      // (writing the body would race the server's close).
    });
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString());
    });
    socket.on("error", reject);
  });
}

const text = (r) => r?.content?.[0]?.text ?? "";

async function errorOf(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e;
  }
}

async function main() {
  client = new Client({ name: "wasmgate-adversarial-test", version: "1.0.0" });
  let raw;
  let httpUrl;
  let httpTransport;
  if (transportName === "stdio") {
    const transport = new RawStdioTransport(wasmgate, [...proxyArgs, "--", ...upstream]);
    await client.connect(transport);
    raw = async (bytes) => ({ status: null, msg: await transport.raw(bytes) });
  } else {
    const url = await startHttpProxy();
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    raw = (bytes) => rawPost(url, transport, bytes);
    httpUrl = url;
    httpTransport = transport;
  }

  let validCalls = 0;
  async function stillServes(what) {
    // The message names the case by number: the upstream's log must not
    // contain the look-alike characters themselves.
    const message = `valid call ${validCalls + 1}`;
    const r = await client.callTool({ name: "echo", arguments: { message } });
    check(!r.isError && text(r).includes(message), `the proxy still serves after ${what}`, show(r));
    validCalls++;
  }

  // Each raw case: a JSON-RPC error (with the HTTP status when over HTTP).
  async function refused(what, bytes, { codes, status, says }) {
    const { status: got, msg } = await raw(bytes);
    const err = Array.isArray(msg) ? msg[0]?.error : msg?.error;
    check(err && codes.includes(err.code), `${what}: JSON-RPC error ${codes.join("|")}`, `status ${got}, ${show(msg)}`);
    if (says) check(new RegExp(says, "i").test(err.message), `${what}: the error says why (${says})`, err.message);
    if (transportName === "http" && status) check(status.includes(got), `${what}: HTTP ${status.join("|")}`, String(got));
    await stillServes(what);
  }

  const call = (id, params) => JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params });
  const kParse = -32700;
  const kInvalid = -32600;
  const kParams = -32602;

  await stillServes("connecting");
  await refused("a non-JSON line", "this is not json {", { codes: [kParse], status: [200, 400] });
  await refused("invalid UTF-8", Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":"adv-u","method":"ping","x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), {
    codes: [kParse, kInvalid],
    status: [200, 400],
    says: "utf-8",
  });
  await refused(
    "a duplicate key in the envelope",
    '{"jsonrpc":"2.0","id":"adv-1","method":"tools/call","params":{"name":"echo","arguments":{"message":"dup-envelope"}},"method":"tools/list"}',
    { codes: [kParse, kInvalid], status: [200, 400], says: "duplicate" },
  );
  await refused(
    "a case-variant key in the envelope",
    '{"jsonrpc":"2.0","id":"adv-2","method":"tools/call","Method":"tools/list","params":{"name":"echo","arguments":{"message":"case-envelope"}}}',
    { codes: [kInvalid], status: [200, 400], says: "case" },
  );
  await refused(
    "a duplicate key in params",
    '{"jsonrpc":"2.0","id":"adv-3","method":"tools/call","params":{"name":"echo","name":"get-env","arguments":{"message":"dup-params"}}}',
    { codes: [kParse, kInvalid], status: [200, 400], says: "duplicate" },
  );
  await refused(
    "a duplicate key in the arguments",
    '{"jsonrpc":"2.0","id":"adv-4","method":"tools/call","params":{"name":"echo","arguments":{"message":"hello","message":"my secret"}}}',
    { codes: [kParse, kInvalid], status: [200, 400], says: "duplicate" },
  );
  await refused(
    "a batch",
    `[${call("adv-5", { name: "echo", arguments: { message: "batched" } })}]`,
    { codes: [kInvalid], status: [200, 400], says: "batch" },
  );
  await refused("an unknown method", '{"jsonrpc":"2.0","id":"adv-6","method":"tools/cal","params":{}}', {
    codes: [-32601],
    says: "tools/cal",
  });
  {
    const huge = call("adv-7", { name: "echo", arguments: { message: "x".repeat(kLimit + 16) } });
    check(huge.length > kLimit, "the huge message is over the limit");
    if (transportName === "stdio") {
      await refused("a line over the 4 MiB limit", huge, { codes: [kParse, kInvalid], says: "limit|large|long" });
    } else {
      // The server answers 413 from the head and closes; a fetch would fail
      // writing the rest, so this speaks HTTP/1.1 on a socket.
      const head = await oversizedPost(httpUrl, httpTransport, huge);
      check(/^HTTP\/1\.1 413/.test(head), "a body over the 4 MiB limit gets 413", head.slice(0, 200));
      await stillServes("a body over the 4 MiB limit");
    }
  }

  // Case-variant keys in params and in the arguments: a clear error, never
  // forwarded (an upstream could read the other spelling).
  {
    const { msg } = await raw(call("adv-8", { name: "echo", arguments: { message: "hello", Message: "my secret" } }));
    const refusedResult = msg?.result?.isError === true && /differ only in case/.test(msg.result.content?.[0]?.text ?? "");
    check(refusedResult || msg?.error, "case-variant argument names are refused", show(msg));
    await stillServes("case-variant argument names");
    const { msg: p } = await raw(call("adv-9", { name: "echo", Name: "get-env", arguments: { message: "case-params" } }));
    // Either refused, or the call the policy saw (echo "case-params") runs:
    // "Name" must not make the proxy call get-env.
    check(p?.error || (p?.result && text(p.result).includes("case-params")), "a case-variant params key does not change the tool", show(p));
    if (p?.result && !p.result.isError) validCalls++;
    await stillServes("a case-variant params key");
  }

  // Look-alike names: not in the mirrored list, so refused locally.
  const lookAlikes = [
    ["g\u0435t-env", "Cyrillic е in the hidden get-env"],
    ["\u0435cho", "Cyrillic е in echo (a tool with a deny rule)"],
    ["echo\u200b", "a zero-width space after echo"],
    ["\uff45\uff43\uff48\uff4f", "fullwidth echo"],
    ["ECHO", "upper-case echo"],
    ["get-env", "the hidden get-env itself"],
  ];
  for (const [name, what] of lookAlikes) {
    const e = await errorOf(client.callTool({ name, arguments: { message: "my secret" } }));
    check(e !== null && e.code === kParams && String(e.message).includes("tool"), `${what}: refused as an unknown tool`, String(e?.message));
    await stillServes(what);
  }
  // The real echo with a secret is denied by the rule, not forwarded.
  const denied = await client.callTool({ name: "echo", arguments: { message: "my secret" } });
  check(denied.isError && denied.structuredContent?.rule === "no-secrets", "echo with a secret is denied by no-secrets", show(denied));

  // Close the proxy (and so the upstream) before reading the upstream's log.
  await client.close();
  client = null;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  check(existsSync(upstreamLog), "the upstream recorded its input");
  const lines = readFileSync(upstreamLog, "utf8").split("\n").filter((l) => l.length > 0);
  const received = lines.map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      return { unparsable: l.slice(0, 200) };
    }
  });
  check(received.every((m) => !m.unparsable), "every message the upstream received is JSON", show(received.find((m) => m.unparsable)));
  const calls = received.filter((m) => m.method === "tools/call");
  check(calls.length === validCalls, `the upstream received exactly the ${validCalls} valid calls`, `${calls.length}: ${show(calls.map((c) => c.params))}`);
  check(calls.every((c) => c.params?.name === "echo"), "only echo reached the upstream", show(calls.map((c) => c.params?.name)));
  const everything_ = lines.join("\n");
  for (const forbidden of ["secret", "batched", "dup-envelope", "case-envelope", "dup-params", "\u0435", "\u200b", "\uff45", "ECHO", "get-env", "xxxxxxxxxxxxxxxx"]) {
    check(!everything_.includes(forbidden), `nothing containing ${show(forbidden)} reached the upstream`);
  }
}

try {
  await main();
  clearTimeout(watchdog);
  await cleanup();
  console.log(`proxy_adversarial (${transportName}): ${passed} checks passed`);
  process.exit(0);
} catch (e) {
  await fail(e instanceof CheckFailed ? e.message : e.stack);
}

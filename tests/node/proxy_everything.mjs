// `wasmgate proxy` in front of a real upstream, driven by the official
// TypeScript SDK client (both pinned in package.json):
//
//   node proxy_everything.mjs WASMGATE stdio|http
//
// Upstream: @modelcontextprotocol/server-everything over stdio, started by
// the proxy (`wasmgate proxy --policy P --state S -- NODE EVERYTHING stdio`).
// Downstream: stdio (the SDK spawns the proxy) or Streamable HTTP (this
// script spawns `wasmgate proxy --http 127.0.0.1:0 ...` and reads its URL).
//
// Checks (each failure exits 1 naming the check):
//   - tools/list through the proxy = the upstream's list minus the hidden
//     tool, each definition (title, description, inputSchema, outputSchema,
//     annotations) equal to the upstream's;
//   - an allowed call returns the upstream's result; a call matching a deny
//     condition is an isError result naming the rule (structuredContent);
//   - a rate limit of 2/minute refuses the third call (limit_exceeded);
//   - resources/read of an allowed resource and through a template work; a
//     denied one is an error naming the rule;
//   - prompts/get allowed and denied alike;
//   - progress of a long-running upstream tool reaches the SDK's onprogress;
//   - server->client requests relayed (the proxy declares sampling,
//     elicitation form+url and roots upstream): sampling and elicitation
//     answered by this client reach the upstream tool and come back in its
//     result; roots/list likewise; a url-mode elicitation is refused
//     because this client declared form mode only, and never reaches it;
//   - the audit log verifies (`wasmgate audit verify`) and records the
//     denied call as never forwarded.
// No sleeps: every wait is on an event; one watchdog fails a hang.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

import { startListening } from "./listening.mjs";

const [wasmgate, transportName] = process.argv.slice(2);
if (!wasmgate || !["stdio", "http"].includes(transportName)) {
  console.error("usage: proxy_everything.mjs WASMGATE stdio|http");
  process.exit(2);
}

const require = createRequire(import.meta.url);
const everything = path.join(
  path.dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist",
  "index.js",
);
const upstream = [process.execPath, everything, "stdio"];
const kWatchdogMs = 90_000;

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
  get-sum:
    rules:
      - name: sum-twice-a-minute
        rate_limit: 2/minute
resources:
  "demo://resource/static/document/features.md":
    rules:
      - name: no-features
        action: deny
prompts:
  simple-prompt:
    rules:
      - name: no-simple-prompt
        action: deny
`;

const dir = mkdtempSync(path.join(tmpdir(), "wasmgate-proxy-"));
const policyFile = path.join(dir, "policy.yaml");
const stateDir = path.join(dir, "state");
writeFileSync(policyFile, policy);
const proxyArgs = ["proxy", "--policy", policyFile, "--state", stateDir];

let proxyLog = "";
let child = null;
let proxied = null;
let direct = null;
let passed = 0;

class CheckFailed extends Error {}
function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? "" : `: ${detail}`}`);
  passed++;
}
const show = (v) => JSON.stringify(v);

async function cleanup() {
  for (const c of [proxied, direct]) {
    try {
      if (c) await c.close();
    } catch {
      // already gone
    }
  }
  if (child && child.exitCode === null) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}

async function fail(message) {
  console.error(`proxy_everything (${transportName}): FAILED: ${message}`);
  if (proxyLog) console.error(`--- proxy stderr\n${proxyLog}`);
  await cleanup();
  process.exit(1);
}

const watchdog = setTimeout(() => fail(`no result after ${kWatchdogMs} ms (hang)`), kWatchdogMs);

async function startHttpProxy() {
  let url;
  ({ child, url } = await startListening(wasmgate, [...proxyArgs, "--http", "127.0.0.1:0", "--", ...upstream], {
    onLine: (line) => {
      proxyLog += `${line}\n`;
    },
  }));
  return url;
}

async function listAll(client, method, key) {
  const items = [];
  let cursor;
  for (let page = 0; page < 1000; page++) {
    const r = await client[method](cursor ? { cursor } : {});
    items.push(...r[key]);
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return items;
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
  // The direct client declares what the proxy declares upstream, so the
  // upstream registers the same capability-dependent tools for both.
  direct = new Client(
    { name: "direct", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} } },
  );
  await direct.connect(new StdioClientTransport({ command: upstream[0], args: upstream.slice(1), stderr: "ignore" }));

  proxied = new Client(
    { name: "wasmgate-proxy-test", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} } },
  );
  const clientRequests = [];
  proxied.setRequestHandler(CreateMessageRequestSchema, (req) => {
    clientRequests.push(req);
    return { role: "assistant", content: { type: "text", text: "fake model answer" }, model: "fake", stopReason: "endTurn" };
  });
  proxied.setRequestHandler(ElicitRequestSchema, (req) => {
    clientRequests.push(req);
    return { action: "accept", content: { name: "Ada Lovelace" } };
  });
  proxied.setRequestHandler(ListRootsRequestSchema, (req) => {
    clientRequests.push(req);
    return { roots: [{ uri: "file:///work/wasmgate-root", name: "wasmgate-root" }] };
  });
  if (transportName === "stdio") {
    const transport = new StdioClientTransport({
      command: wasmgate,
      args: [...proxyArgs, "--", ...upstream],
      stderr: "pipe",
    });
    transport.stderr?.on("data", (d) => {
      proxyLog += d.toString();
    });
    await proxied.connect(transport);
  } else {
    const url = await startHttpProxy();
    await proxied.connect(new StreamableHTTPClientTransport(new URL(url)));
  }

  // Tools: mirrored, minus the hidden one.
  const upstreamTools = await listAll(direct, "listTools", "tools");
  const tools = await listAll(proxied, "listTools", "tools");
  const names = tools.map((t) => t.name).sort();
  const expected = upstreamTools.map((t) => t.name).filter((n) => n !== "get-env").sort();
  check(upstreamTools.some((t) => t.name === "get-env"), "the upstream offers get-env");
  check(isDeepStrictEqual(names, expected), "tools/list = upstream minus hidden", `${show(names)} vs ${show(expected)}`);
  for (const t of tools) {
    const u = upstreamTools.find((x) => x.name === t.name);
    for (const field of ["title", "description", "inputSchema", "outputSchema", "annotations"]) {
      check(isDeepStrictEqual(t[field], u[field]), `${t.name}.${field} preserved`, `${show(t[field])} vs ${show(u[field])}`);
    }
  }

  // Allowed and denied calls.
  const upstreamEcho = await direct.callTool({ name: "echo", arguments: { message: "hello" } });
  const echo = await proxied.callTool({ name: "echo", arguments: { message: "hello" } });
  check(!echo.isError && isDeepStrictEqual(echo.content, upstreamEcho.content), "allowed call = upstream result", show(echo));
  const denied = await proxied.callTool({ name: "echo", arguments: { message: "my secret" } });
  check(denied.isError === true, "denied call is an isError result", show(denied));
  check(text(denied).includes("no-secrets"), "the refusal names the rule", text(denied));
  check(denied.structuredContent?.rule === "no-secrets", "structuredContent.rule", show(denied.structuredContent));
  const hidden = await errorOf(proxied.callTool({ name: "get-env", arguments: {} }));
  check(hidden !== null && String(hidden.message).includes("get-env"), "a hidden tool cannot be called", String(hidden?.message));

  // Rate limit.
  for (let i = 0; i < 2; i++) {
    const r = await proxied.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
    check(!r.isError && text(r).includes("3"), `get-sum call ${i + 1} allowed`, show(r));
  }
  const limited = await proxied.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
  check(limited.isError === true && limited.structuredContent?.code === "limit_exceeded", "third get-sum refused", show(limited));

  // Resources.
  const resources = await listAll(proxied, "listResources", "resources");
  check(resources.length === (await listAll(direct, "listResources", "resources")).length, "resources/list mirrored");
  const arch = await proxied.readResource({ uri: "demo://resource/static/document/architecture.md" });
  const archDirect = await direct.readResource({ uri: "demo://resource/static/document/architecture.md" });
  check(isDeepStrictEqual(arch.contents, archDirect.contents), "allowed resources/read = upstream");
  const features = await errorOf(proxied.readResource({ uri: "demo://resource/static/document/features.md" }));
  check(features !== null && String(features.message).includes("no-features"), "denied resources/read names the rule", String(features?.message));
  const dynamic = await proxied.readResource({ uri: "demo://resource/dynamic/text/3" });
  check(dynamic.contents?.length > 0, "resources/read through a template", show(dynamic));

  // Prompts.
  const args = await proxied.getPrompt({ name: "args-prompt", arguments: { city: "Lyon" } });
  check(show(args.messages).includes("Lyon"), "allowed prompts/get", show(args));
  const simple = await errorOf(proxied.getPrompt({ name: "simple-prompt" }));
  check(simple !== null && String(simple.message).includes("no-simple-prompt"), "denied prompts/get names the rule", String(simple?.message));

  // Progress from the upstream reaches the caller.
  const progress = [];
  const long = await proxied.callTool({ name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } }, undefined, {
    onprogress: (p) => progress.push(p.progress),
  });
  check(!long.isError, "long-running call succeeds", show(long));
  // The SDK client drops a progress notification that arrives in the same
  // read as the result (it does so against the upstream directly too), so
  // the last step may be missing; the earlier ones are 100 ms apart.
  check(progress.length >= 2 && progress.every((p, i) => p === i + 1), "progress relayed", show(progress));

  // Server->client requests, relayed to this client while its call runs.
  clientRequests.length = 0;
  const sampled = await proxied.callTool({ name: "trigger-sampling-request", arguments: { prompt: "hi", maxTokens: 5 } });
  check(!sampled.isError && text(sampled).includes("fake model answer"), "sampling relayed both ways", show(sampled));
  check(clientRequests.some((r) => r.method === "sampling/createMessage"), "the client got sampling/createMessage");
  const elicited = await proxied.callTool({ name: "trigger-elicitation-request", arguments: {} });
  check(!elicited.isError && show(elicited).includes("Ada Lovelace"), "elicitation relayed both ways", show(elicited));
  const rooted = await proxied.callTool({ name: "get-roots-list", arguments: {} });
  check(!rooted.isError && text(rooted).includes("file:///work/wasmgate-root"), "roots/list relayed both ways", show(rooted));
  const before = clientRequests.length;
  const urlMode = await errorOf(
    proxied.callTool({ name: "trigger-url-elicitation", arguments: { url: "https://example.org/x", message: "open" } }).then((r) => {
      if (r.isError) throw new Error(text(r));
      return r;
    }),
  );
  check(urlMode !== null && String(urlMode.message).includes("elicitation.url"), "url-mode elicitation refused for a form-only client", String(urlMode?.message));
  check(clientRequests.length === before, "the form-only client never saw the url-mode request", show(clientRequests.slice(before)));

  await proxied.close();
  proxied = null;
  if (child) {
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  // Audit: the chain verifies; the denied echo was never forwarded.
  const auditFile = path.join(stateDir, "audit.jsonl");
  const verify = spawnSync(wasmgate, ["audit", "verify", auditFile], { encoding: "utf8" });
  check(verify.status === 0, "wasmgate audit verify", verify.stderr + verify.stdout);
  const records = readFileSync(auditFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const deniedRecord = records.find((r) => r.rule === "no-secrets");
  check(deniedRecord?.upstream === "not_called", "denied call audited as not forwarded", show(deniedRecord));
  check(records.some((r) => r.tool === "echo" && r.upstream === "ok"), "allowed call audited as ok");
}

try {
  await main();
  clearTimeout(watchdog);
  await cleanup();
  console.log(`proxy_everything (${transportName}): ${passed} checks passed`);
  process.exit(0);
} catch (e) {
  await fail(e instanceof CheckFailed ? e.message : e.stack);
}

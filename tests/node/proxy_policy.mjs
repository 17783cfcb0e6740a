// The policy's must-show behaviours through `wasmgate proxy` in front of a
// real upstream (@modelcontextprotocol/server-everything over stdio),
// driven by the official TypeScript SDK client:
//
//   node proxy_policy.mjs WASMGATE stdio|http
//
// Checks (each names the rule that must decide):
//   - every operator: eq (in any_of), neq, in, not_in, lt, lte, gt, gte,
//     regex, contains, exists; a type mismatch denies (type_mismatch);
//   - rule order: the first failing rule is named; a later deny beats an
//     earlier require_approval;
//   - default deny for tools and resources (not_listed); hide by glob
//     (absent from tools/list, a call is refused);
//   - counters: tool scope (2/minute), global scope over a glob entry with a
//     sliding hour window, a resource's own limit, session scope (per day),
//     identity scope (HTTP with --auth-tokens: alice's second session
//     shares alice's counter, bob has his own; stdio has no identity:
//     denied with state_error, fail closed); retryAfter within each window;
//   - spend: exact decimals (0.1+0.2+0.3+0.4 reaches the cap 1 exactly and
//     is allowed; the next 0.1 is refused), a negative amount is refused;
//   - approval by elicitation (accept once; decline denies) and the
//     asynchronous flow (cancel / a client without elicitation leaves it
//     pending; `wasmgate approvals approve ID`; the retry passes once);
//   - HTTP: a request without a bearer token is 401;
//   - hot reload: a new hide list reaches the client as
//     tools/list_changed; a broken file keeps the policy in force;
//   - the audit chain verifies.
// No sleeps: every wait is on an event; one watchdog fails a hang.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

import { startListening } from "./listening.mjs";

const [wasmgate, transportName] = process.argv.slice(2);
if (!wasmgate || !["stdio", "http"].includes(transportName)) {
  console.error("usage: proxy_policy.mjs WASMGATE stdio|http");
  process.exit(2);
}
const http = transportName === "http";

const require = createRequire(import.meta.url);
const everything = path.join(
  path.dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist",
  "index.js",
);
const upstream = [process.execPath, everything, "stdio"];
const kWatchdogMs = 90_000;

const policy = (extraHide = "") => `version: "1"
default: deny
hide:
  - "get-tiny-*"${extraHide}
tools:
  echo:
    rules:
      - name: ordered-first
        conditions:
          - not: {path: args.message, op: contains, value: both-rules}
      - name: ordered-second
        conditions:
          - not: {path: args.message, op: contains, value: both-rules}
      - name: no-secrets
        conditions:
          - not: {path: args.message, op: contains, value: secret}
      - name: no-rm
        conditions:
          - not: {path: args.message, op: regex, value: "^rm "}
      - name: not-blocked
        conditions:
          - {path: args.message, op: neq, value: blocked}
      - name: magic-exactly
        conditions:
          - any_of:
              - {path: args.message, op: eq, value: magic}
              - not: {path: args.message, op: contains, value: magic}
      - name: ask-human
        action: require_approval
        conditions:
          - {path: args.message, op: contains, value: please-approve}
      - name: late-deny
        conditions:
          - not: {path: args.message, op: contains, value: but-deny}
  get-sum:
    rules:
      - name: spend-cap
        conditions:
          - {path: state.get-sum.spend, op: lte, value: 1}
        state:
          counter: spend
          window: day
          increment_from: args.a
  trigger-long-running-operation:
    rules:
      - name: r-lt
        conditions: [{path: args.steps, op: lt, value: 50}]
      - name: r-lte
        conditions: [{path: args.steps, op: lte, value: 40}]
      - name: r-gt
        conditions: [{path: args.steps, op: gt, value: 0}]
      - name: r-gte
        conditions: [{path: args.steps, op: gte, value: 2}]
      - name: r-not-in
        conditions: [{path: args.steps, op: not_in, value: [13]}]
  get-annotated-message:
    rules:
      - name: r-in
        conditions: [{path: args.messageType, op: in, value: [success, debug]}]
      - name: r-exists
        conditions: [{path: args.includeImage, op: exists, value: false}]
  get-resource-links:
    rules:
      - name: r-type
        conditions:
          - not: {path: args.count, op: regex, value: "x"}
      - name: links-2-per-minute
        rate_limit: 2/minute
  "get-resource-*":
    rules:
      - name: resource-tools-3-per-hour-sliding
        rate_limit: {count: 3, window: hour, scope: global, sliding: true}
  get-env:
    rules:
      - name: one-env-per-session
        rate_limit: {count: 1, window: day, scope: session}
  get-structured-content:
    rules:
      - name: one-weather-per-identity
        rate_limit: {count: 1, window: minute, scope: identity}
resources:
  "demo://resource/static/document/architecture.md":
    rules:
      - name: one-architecture-read-a-minute
        rate_limit: 1/minute
`;

const dir = mkdtempSync(path.join(tmpdir(), "wasmgate-proxy-policy-"));
const policyFile = path.join(dir, "policy.yaml");
const stateDir = path.join(dir, "state");
const tokensFile = path.join(dir, "tokens");
const tokens = { alice: "alice-token-0123456789abcdef", bob: "bob-token-0123456789abcdef" };
writeFileSync(policyFile, policy());
writeFileSync(tokensFile, `alice ${tokens.alice}\nbob ${tokens.bob}\n`);
chmodSync(tokensFile, 0o600);
const proxyArgs = ["proxy", "--policy", policyFile, "--state", stateDir];

let proxyLog = "";
let child = null;
const clients = [];
let passed = 0;

class CheckFailed extends Error {}
function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? "" : `: ${detail}`}`);
  passed++;
}
const show = (v) => JSON.stringify(v);

async function cleanup() {
  for (const c of clients) {
    try {
      await c.close();
    } catch {
      // already gone
    }
  }
  if (child && child.exitCode === null) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}

async function fail(message) {
  console.error(`proxy_policy (${transportName}): FAILED after ${passed} checks: ${message}`);
  if (proxyLog) console.error(`--- proxy stderr\n${proxyLog.slice(-4000)}`);
  await cleanup();
  process.exit(1);
}

const watchdog = setTimeout(() => fail(`no result after ${kWatchdogMs} ms (hang)`), kWatchdogMs);

async function startHttpProxy() {
  let url;
  ({ child, url } = await startListening(wasmgate, [...proxyArgs, "--http", "127.0.0.1:0", "--auth-tokens", tokensFile, "--", ...upstream], {
    onLine: (line) => {
      proxyLog += `${line}\n`;
    },
  }));
  return url;
}

const text = (r) => r?.content?.[0]?.text ?? "";
// A refusal's details: structuredContent, or (for a tool with an
// outputSchema, which the refusal would not match) the JSON text item.
function details(r) {
  if (r?.structuredContent) return r.structuredContent;
  const item = (r?.content ?? []).find((c) => c.type === "text" && c.text.startsWith('{"code"'));
  return item ? JSON.parse(item.text) : undefined;
}

async function errorOf(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e;
  }
}

// A client; `elicit` answers approval requests (absent: no elicitation capability).
async function connect(url, token, elicit) {
  const c = new Client({ name: `policy-${token ?? "stdio"}`, version: "1.0.0" }, { capabilities: elicit ? { elicitation: { form: {} } } : {} });
  c.listChanged = 0;
  c.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    c.listChanged++;
    c.onListChanged?.();
  });
  if (elicit) c.setRequestHandler(ElicitRequestSchema, (req) => elicit(req.params));
  if (http) {
    await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  } else {
    const transport = new StdioClientTransport({ command: wasmgate, args: [...proxyArgs, "--", ...upstream], stderr: "pipe" });
    transport.stderr?.on("data", (d) => {
      proxyLog += d.toString();
    });
    await c.connect(transport);
  }
  clients.push(c);
  return c;
}

async function main() {
  const url = http ? await startHttpProxy() : null;
  let approval = "accept";
  const elicited = [];
  const a = await connect(url, tokens.alice, (params) => {
    elicited.push(params.message);
    if (approval === "accept") return { action: "accept", content: { approve: true } };
    return { action: approval };
  });

  const call = (c, name, args) => c.callTool({ name, arguments: args });
  async function deniedBy(c, name, args, rule, code) {
    const r = await call(c, name, args);
    check(r.isError === true && details(r)?.rule === rule, `${name} ${show(args)} denied by ${rule}`, show(r));
    check(text(r).includes(rule), `the refusal text names ${rule}`, text(r));
    if (code) check(details(r)?.code === code, `${name} ${show(args)}: code ${code}`, show(details(r)));
    return r;
  }
  async function allowed(c, name, args) {
    const r = await call(c, name, args);
    check(!r.isError, `${name} ${show(args)} allowed`, show(r));
    return r;
  }

  // Operators.
  await allowed(a, "echo", { message: "hello" });
  await deniedBy(a, "echo", { message: "my secret" }, "no-secrets", "condition_failed"); // contains
  await deniedBy(a, "echo", { message: "rm -rf /" }, "no-rm"); // regex
  await allowed(a, "echo", { message: "a rm in the middle" });
  await deniedBy(a, "echo", { message: "blocked" }, "not-blocked"); // neq
  await allowed(a, "echo", { message: "magic" }); // eq (in any_of)
  await deniedBy(a, "echo", { message: "magic words" }, "magic-exactly"); // any_of / not
  const longOp = (steps) => ({ duration: 0, steps });
  await allowed(a, "trigger-long-running-operation", longOp(2));
  await deniedBy(a, "trigger-long-running-operation", longOp(50), "r-lt"); // lt (and rule order: r-lte fails too)
  await deniedBy(a, "trigger-long-running-operation", longOp(41), "r-lte"); // lte
  await deniedBy(a, "trigger-long-running-operation", longOp(0), "r-gt"); // gt (r-gte fails too)
  await deniedBy(a, "trigger-long-running-operation", longOp(1), "r-gte"); // gte
  await deniedBy(a, "trigger-long-running-operation", longOp(13), "r-not-in"); // not_in
  await allowed(a, "get-annotated-message", { messageType: "success" });
  await deniedBy(a, "get-annotated-message", { messageType: "error" }, "r-in"); // in
  await deniedBy(a, "get-annotated-message", { messageType: "debug", includeImage: true }, "r-exists"); // exists
  await deniedBy(a, "get-resource-links", { count: 2 }, "r-type", "type_mismatch"); // undecidable: fail closed

  // Rule order.
  await deniedBy(a, "echo", { message: "both-rules" }, "ordered-first");
  elicited.length = 0;
  await deniedBy(a, "echo", { message: "please-approve but-deny" }, "late-deny");
  check(elicited.length === 0, "a later deny wins without asking the human", show(elicited));

  // Default deny and hide.
  const unlisted = await call(a, "toggle-subscriber-updates", {});
  check(unlisted.isError === true && details(unlisted)?.code === "not_listed", "an unlisted tool is denied (not_listed)", show(unlisted));
  const features = await errorOf(a.readResource({ uri: "demo://resource/static/document/features.md" }));
  check(features !== null && /not listed|not_listed|default/i.test(String(features.message)), "an unlisted resource is denied", String(features?.message));
  const names = (await a.listTools()).tools.map((t) => t.name);
  check(!names.includes("get-tiny-image") && names.includes("echo"), "a glob-hidden tool is absent from tools/list", show(names));
  const hidden = await errorOf(call(a, "get-tiny-image", {}));
  check(hidden !== null, "a hidden tool cannot be called");

  // Counters: tool scope, global scope (glob entry, sliding hour).
  await allowed(a, "get-resource-links", {});
  await allowed(a, "get-resource-links", {});
  const toolLimit = await deniedBy(a, "get-resource-links", {}, "links-2-per-minute", "limit_exceeded");
  const ra1 = details(toolLimit)?.retryAfter;
  check(ra1 > 0 && ra1 <= 60, "a minute window's retryAfter is within a minute", show(details(toolLimit)));
  await allowed(a, "get-resource-reference", { resourceType: "Text", resourceId: 1 });
  const globalLimit = await deniedBy(a, "get-resource-reference", { resourceType: "Text", resourceId: 2 }, "resource-tools-3-per-hour-sliding", "limit_exceeded");
  const ra2 = details(globalLimit)?.retryAfter;
  check(ra2 > 0 && ra2 <= 3600, "a sliding hour's retryAfter is within an hour", show(details(globalLimit)));

  // Spend with exact decimals.
  for (const amount of [0.1, 0.2, 0.3, 0.4]) await allowed(a, "get-sum", { a: amount, b: 0 });
  const over = await deniedBy(a, "get-sum", { a: 0.1, b: 0 }, "spend-cap", "limit_exceeded");
  check(details(over)?.remaining === "0", "no spend remains after exactly 1", show(details(over)));
  const negative = await call(a, "get-sum", { a: -0.5, b: 0 });
  check(negative.isError === true && details(negative)?.code === "invalid_argument", "a negative amount is refused", show(negative));

  // Resources: a counter per resource.
  const arch = "demo://resource/static/document/architecture.md";
  await a.readResource({ uri: arch });
  const reread = await errorOf(a.readResource({ uri: arch }));
  check(reread !== null && String(reread.message).includes("one-architecture-read-a-minute"), "a resource's rate limit refuses the second read", String(reread?.message));

  // Session scope.
  await allowed(a, "get-env", {});
  await deniedBy(a, "get-env", {}, "one-env-per-session", "limit_exceeded");

  // Identity scope.
  const weather = { location: "New York" };
  if (http) {
    await allowed(a, "get-structured-content", weather);
    const a2 = await connect(url, tokens.alice, null);
    await deniedBy(a2, "get-structured-content", weather, "one-weather-per-identity", "limit_exceeded"); // alice's counter, another session
    await allowed(a2, "get-env", {}); // a new session has its own session counter
    const b = await connect(url, tokens.bob, null);
    await allowed(b, "get-structured-content", weather); // bob's own counter
    await deniedBy(b, "get-structured-content", weather, "one-weather-per-identity", "limit_exceeded");
    // The asynchronous approval flow: bob's client has no elicitation.
    const pending = await call(b, "echo", { message: "please-approve bob" });
    check(pending.isError && details(pending)?.code === "approval_required", "without elicitation an approval is pending", show(pending));
    const id = details(pending).approvalId;
    const approve = spawnSync(wasmgate, ["approvals", "approve", id, "--state", stateDir], { encoding: "utf8" });
    check(approve.status === 0, "wasmgate approvals approve", approve.stderr);
    check(text(await allowed(b, "echo", { message: "please-approve bob" })).includes("please-approve bob"), "the approved call runs");
    const reused = await call(b, "echo", { message: "please-approve bob" });
    check(details(reused)?.code === "approval_required", "an approval is used once", show(reused));
    // Without a token: 401.
    const anonymous = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
    });
    check(anonymous.status === 401, "a client without a bearer token gets 401", String(anonymous.status));
  } else {
    const usage = spawnSync(wasmgate, [...proxyArgs, "--auth-tokens", tokensFile, "--", ...upstream], { encoding: "utf8" });
    check(usage.status === 2 && usage.stderr.includes("--auth-tokens applies to HTTP only"), "--auth-tokens with stdio is a usage error", usage.stderr);
    // stdio has no identity: an identity-scoped counter cannot be kept, so the call is denied (fail closed).
    await deniedBy(a, "get-structured-content", weather, "one-weather-per-identity", "state_error");
  }

  // Approval by elicitation: accept once, then decline denies.
  elicited.length = 0;
  approval = "accept";
  check(text(await allowed(a, "echo", { message: "please-approve 1" })).includes("please-approve 1"), "approved by elicitation");
  check(elicited.length === 1 && elicited[0].includes("ask-human"), "the human was asked, naming the rule", show(elicited));
  approval = "decline";
  const declined = await call(a, "echo", { message: "please-approve 1" });
  check(declined.isError && details(declined)?.code === "approval_denied", "a declined approval denies", show(declined));
  // Cancel leaves it pending: the asynchronous flow.
  approval = "cancel";
  const later = await call(a, "echo", { message: "please-approve 2" });
  check(later.isError && details(later)?.code === "approval_required", "a cancelled elicitation leaves the approval pending", show(later));
  const approve = spawnSync(wasmgate, ["approvals", "approve", details(later).approvalId, "--state", stateDir], { encoding: "utf8" });
  check(approve.status === 0, "wasmgate approvals approve (after cancel)", approve.stderr);
  await allowed(a, "echo", { message: "please-approve 2" });

  // Hot reload: hide echo too.
  const changed = new Promise((resolve) => {
    a.onListChanged = resolve;
  });
  writeFileSync(policyFile, policy('\n  - "echo"'));
  await changed;
  const after = (await a.listTools()).tools.map((t) => t.name);
  check(!after.includes("echo"), "a reloaded hide list reaches tools/list", show(after));
  check((await errorOf(call(a, "echo", { message: "hello" }))) !== null, "a newly hidden tool is refused");
  writeFileSync(policyFile, "version: \"1\"\ndefault: allow\ntools: {}\nno_such_key: 1\n");
  check((await errorOf(call(a, "echo", { message: "hello" }))) !== null, "a broken file keeps the policy in force");
  await allowed(a, "get-annotated-message", { messageType: "success" });

  for (const c of clients.splice(0)) await c.close();
  if (child) {
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  const verify = spawnSync(wasmgate, ["audit", "verify", path.join(stateDir, "audit.jsonl")], { encoding: "utf8" });
  check(verify.status === 0, "wasmgate audit verify", verify.stderr + verify.stdout);
  const records = readFileSync(path.join(stateDir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  check(records.some((r) => r.rule === "no-secrets" && r.upstream === "not_called"), "a denied call is audited as not forwarded");
  if (http) check(records.some((r) => r.identity === "bob"), "the audit records the identity", show(records.at(-1)));
}

try {
  await main();
  clearTimeout(watchdog);
  await cleanup();
  console.log(`proxy_policy (${transportName}): ${passed} checks passed`);
  process.exit(0);
} catch (e) {
  await fail(e instanceof CheckFailed ? e.message : e.stack);
}

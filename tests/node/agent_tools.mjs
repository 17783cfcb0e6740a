// Every agent-host MCP tool (src/app/agent_tools.cc, 34 tools) through the
// official TypeScript SDK client (@modelcontextprotocol/sdk, pinned in
// package.json) against the real `wasmgate serve` binary, over one transport:
//
//   node agent_tools.mjs WASMGATE stdio|http
//
// stdio: the SDK's StdioClientTransport spawns `WASMGATE serve --stdio --state DIR`.
// http:  this script spawns `WASMGATE serve --http 127.0.0.1:0 --state DIR`,
//        reads the URL from its "wasmgate: listening on URL" stderr line and
//        connects the SDK's StreamableHTTPClientTransport to it.
//
// What is checked:
//   - tools/list offers exactly the 34 tools, each with an input and an
//     output schema; every successful call's structuredContent validates
//     against its tool's outputSchema (the SDK checks it in callTool, and
//     this script checks it again with the SDK's Ajv validator);
//   - every tool is called successfully at least once, and every tool that
//     takes an agentId / id / template / category gets failing calls (an
//     unknown one, a malformed identifier) that come back as isError with a
//     message naming the problem;
//   - a scenario: gallery list / search ("security audit" ranks the
//     security template first) / categories / list_by_category; an agent from
//     "swarm" (alias of orchestrator); a custom agent granted ruby and
//     coreutils writes a Ruby script into its VFS, runs it, and reads back
//     the file the script wrote; wc; edit_file (unique, ambiguous, empty
//     old_string); todos; export -> terminate -> import (same digests and
//     files; a tampered export is refused); fork and diverge; stop (changes
//     refused) / resume; the journal grows by one entry per mutation and not
//     on reads; compose -> create {rvf}; load_rvf -> create {rvf}; custom
//     templates add / export / remove / import; configure / active / config;
//     reset; turn_count; is_stopped; prompt (no API key: isError naming the variable);
//     stop during a run ends it ("interrupted"); replay lands on the live
//     state digest; fork atSeq is the agent as it was at that entry;
//   - restart: the client is closed, the server ends, a new server on the
//     same --state directory still has the agents, their files, todos,
//     journal and digests, and the custom templates and active template.
// Every failed check exits 1 with a message naming it; the last line is the
// number of checks passed. No sleeps: every wait is on an event (a stderr
// line, a reply, a process exit); one watchdog fails the run if it hangs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";

import { startListening } from "./listening.mjs";

const [wasmgate, transportName] = process.argv.slice(2);
if (!wasmgate || !["stdio", "http"].includes(transportName)) {
  console.error("usage: agent_tools.mjs WASMGATE stdio|http");
  process.exit(2);
}
const tag = `agent_tools (${transportName})`;

// The tools src/app/agent_tools.cc registers.
const kAgentTools = [
  "wasm_agent_compose",
  "wasm_agent_create",
  "wasm_agent_export",
  "wasm_agent_files",
  "wasm_agent_fork",
  "wasm_agent_import",
  "wasm_agent_is_stopped",
  "wasm_agent_journal",
  "wasm_agent_list",
  "wasm_agent_prompt",
  "wasm_agent_replay",
  "wasm_agent_reset",
  "wasm_agent_resume",
  "wasm_agent_run",
  "wasm_agent_state",
  "wasm_agent_stop",
  "wasm_agent_terminate",
  "wasm_agent_todos",
  "wasm_agent_tool",
  "wasm_agent_tools",
  "wasm_agent_turn_count",
  "wasm_gallery_active",
  "wasm_gallery_add_custom",
  "wasm_gallery_categories",
  "wasm_gallery_config",
  "wasm_gallery_configure",
  "wasm_gallery_create",
  "wasm_gallery_export",
  "wasm_gallery_import",
  "wasm_gallery_list",
  "wasm_gallery_list_by_category",
  "wasm_gallery_load_rvf",
  "wasm_gallery_remove_custom",
  "wasm_gallery_search",
];
const kBuiltinTemplates = ["coder", "researcher", "tester", "reviewer", "security", "orchestrator"];
const kAgentIdPattern = /^agt_[0-9a-f]{16}$/;
const kUnknownAgent = "agt_0000000000000000";
const kBadIdentifier = "no such/agent!";
const kHexDigest = /^[0-9a-f]{64}$/;
// A Ruby run's wall-time limit. The default (10 s) is tight for Ruby on a
// loaded machine (hello world takes 3 s, and the first run in a server also
// pays for compiling ruby.wasm), so the Ruby agents get more.
const kRubyLimits = { timeoutMs: 120_000 };
// Ruby on wasmgate's own interpreter is the slow part: give the whole run room.
const kWatchdogMs = 240_000;

const stateRoot = mkdtempSync(path.join(tmpdir(), "wasmgate-agent-tools-"));
const stateDir = path.join(stateRoot, "state");
let serverLog = "";
let child = null; // the HTTP server process (stdio: owned by the SDK transport)
let client = null;
let transport = null;
let passed = 0;
let currentStep = "start";
const succeeded = new Set(); // tools called successfully
const failedOn = new Set(); // tools given a failing call that came back as isError
const validators = new Map(); // tool name -> the SDK's Ajv validator of its outputSchema
const ajv = new AjvJsonSchemaValidator();

class CheckFailed extends Error {}

function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? "" : `: ${detail}`}`);
  passed++;
}

function show(v) {
  const s = JSON.stringify(v);
  return s && s.length > 1500 ? `${s.slice(0, 1500)}...` : s;
}

async function closeClient() {
  const c = client;
  client = null;
  try {
    if (c) await c.close();
  } catch {
    // The server may already be gone; nothing to release then.
  }
}

// Waits for the HTTP server process to end (after SIGTERM).
function stopHttpServer() {
  const c = child;
  child = null;
  if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    c.on("exit", () => resolve());
    c.kill("SIGTERM");
  });
}

async function cleanup() {
  await closeClient();
  await stopHttpServer();
  rmSync(stateRoot, { recursive: true, force: true });
}

async function fail(message) {
  console.error(`${tag}: FAILED (step: ${currentStep}): ${message}`);
  if (serverLog) console.error(`--- server stderr\n${serverLog.slice(-20000)}`);
  await cleanup();
  process.exit(1);
}

const watchdog = setTimeout(() => {
  fail(`no result after ${kWatchdogMs} ms (hang)`);
}, kWatchdogMs);

function step(name) {
  currentStep = name;
}

// Starts `wasmgate serve --http 127.0.0.1:0` and resolves with its URL.
async function startHttpServer() {
  // No model API keys: the prompt check below expects the missing-key error
  // (and a developer's key must never be spent by a test).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/_API_KEY$|^WASMGATE_LLM_CONFIG$/.test(k)));
  let url;
  ({ child, url } = await startListening(wasmgate, ["serve", "--http", "127.0.0.1:0", "--state", stateDir], {
    env,
    onLine: (line) => {
      serverLog += `${line}\n`;
    },
  }));
  return url;
}

async function connect() {
  serverLog += `--- server start\n`;
  client = new Client({ name: "wasmgate-agent-tools-test", version: "1.0.0" }, { capabilities: {} });
  if (transportName === "stdio") {
    transport = new StdioClientTransport({ command: wasmgate, args: ["serve", "--stdio", "--state", stateDir], stderr: "pipe" });
    transport.stderr.on("data", (d) => {
      serverLog += d.toString();
    });
  } else {
    const url = await startHttpServer();
    transport = new StreamableHTTPClientTransport(new URL(url));
  }
  await client.connect(transport);
  // tools/list: exactly the agent host's tools, each with both schemas. One
  // page (the default page size is 100), so the SDK caches every tool's
  // output validator; the script keeps its own as well.
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const names = tools.map((t) => t.name).sort();
  check(isDeepStrictEqual(names, kAgentTools), `tools/list offers exactly the ${kAgentTools.length} agent tools`, show(names));
  for (const t of tools) {
    check(t.inputSchema?.type === "object", `${t.name} has an object inputSchema`, show(t.inputSchema));
    check(t.outputSchema?.type === "object", `${t.name} has an object outputSchema`, show(t.outputSchema));
    check(typeof t.description === "string" && t.description.length > 10, `${t.name} has a description`);
    validators.set(t.name, ajv.getValidator(t.outputSchema));
  }
  return tools;
}

function textOf(result, what) {
  check(Array.isArray(result.content) && result.content.length > 0, `${what}: result has content`, show(result));
  check(result.content[0].type === "text", `${what}: first content block is text`, show(result.content[0]));
  return result.content[0].text;
}

// Calls a tool that must succeed. The SDK's callTool validates
// structuredContent against the tool's outputSchema (and throws on a
// mismatch); the script validates it again so a pagination quirk in the
// SDK's validator cache cannot hide a mismatch.
async function call(name, args, what = name) {
  let r;
  try {
    r = await client.callTool({ name, arguments: args });
  } catch (e) {
    throw new CheckFailed(`${what}: ${name} ${show(args)} threw: ${e?.message ?? e}`);
  }
  const text = textOf(r, what);
  check(r.isError !== true, `${what}: ${name} succeeds`, text);
  const sc = r.structuredContent;
  check(sc !== null && typeof sc === "object" && !Array.isArray(sc), `${what}: ${name} returns structuredContent`, show(r));
  const v = validators.get(name)(sc);
  check(v.valid, `${what}: ${name} structuredContent matches its outputSchema`, `${v.errorMessage} in ${show(sc)}`);
  check(text.length > 0, `${what}: ${name} has text`);
  succeeded.add(name);
  return { sc, text };
}

// Calls a tool that must fail with isError and a text matching `pattern`.
async function callError(name, args, pattern, what = `${name} fails`) {
  let r;
  try {
    r = await client.callTool({ name, arguments: args });
  } catch (e) {
    throw new CheckFailed(`${what}: ${name} ${show(args)} threw instead of returning isError: ${e?.message ?? e}`);
  }
  const text = textOf(r, what);
  check(r.isError === true, `${what}: isError`, show(r));
  check(pattern.test(text), `${what}: message matches ${pattern}`, text);
  failedOn.add(name);
  return text;
}

async function journalSeq(agentId) {
  const { sc } = await call("wasm_agent_journal", { agentId, afterSeq: 0, limit: 10000 }, "journal position");
  check(sc.entries.length === sc.lastSeq, "journal holds one entry per sequence number", `${sc.entries.length} vs ${sc.lastSeq}`);
  return sc.lastSeq;
}

// A state-changing call: the journal grows by exactly one entry, recording
// `op` and the state digest the agent then has.
async function mutate(agentId, op, name, args, what) {
  const before = await journalSeq(agentId);
  const result = await call(name, args, what);
  const { sc: j } = await call("wasm_agent_journal", { agentId, afterSeq: before }, "journal after a mutation");
  check(j.lastSeq === before + 1, `${what}: journal grows by one`, `${before} -> ${j.lastSeq}`);
  check(j.entries.length === 1 && j.entries[0].seq === before + 1, `${what}: one new journal entry`, show(j.entries));
  check(j.entries[0].op === op, `${what}: journal entry op is ${op}`, show(j.entries[0]));
  const { sc: st } = await call("wasm_agent_state", { agentId }, "state after a mutation");
  check(j.entries[0].stateDigest === st.stateDigest, `${what}: journal entry carries the new state digest`, show(j.entries[0]));
  return result;
}

// A call that must not change the agent: journal and state digest stay.
async function readOnly(agentId, name, args, what) {
  const { sc: before } = await call("wasm_agent_state", { agentId }, "state before a read");
  const result = await call(name, args, what);
  const { sc: after } = await call("wasm_agent_state", { agentId }, "state after a read");
  check(after.journalSeq === before.journalSeq, `${what}: journal unchanged`, `${before.journalSeq} -> ${after.journalSeq}`);
  check(after.stateDigest === before.stateDigest, `${what}: state digest unchanged`);
  return result;
}

function tool(agentId, toolName, toolInput) {
  return { agentId, toolName, toolInput };
}

async function fileMap(agentId) {
  const { sc } = await call("wasm_agent_files", { agentId }, "files");
  const m = {};
  for (const e of sc.entries) m[e.path] = `${e.type}:${e.size}`;
  return m;
}

async function readText(agentId, p, what) {
  const { sc } = await call("wasm_agent_tool", tool(agentId, "read_file", { path: p }), what);
  return sc.content;
}

// ---- the scenario ------------------------------------------------------------

async function gallery() {
  step("gallery list");
  const { sc: list, text: listText } = await call("wasm_gallery_list", {});
  const ids = list.templates.map((t) => t.id);
  check(list.count === list.templates.length, "gallery_list count matches", `${list.count} vs ${ids.length}`);
  for (const id of kBuiltinTemplates) {
    check(ids.includes(id), `gallery lists built-in ${id}`, show(ids));
    check(listText.includes(id), `gallery_list text names ${id}`);
  }
  check(!ids.includes("swarm"), "the alias swarm is not listed as a template", show(ids));
  check(list.templates.every((t) => t.custom === false), "a fresh gallery has no custom templates", show(ids));

  step("gallery search");
  const { sc: found, text: foundText } = await call("wasm_gallery_search", { query: "security audit" });
  check(found.results.length > 0 && found.results[0].id === "security", "\"security audit\" ranks security first",
    show(found.results.map((r) => [r.id, r.score])));
  for (let i = 1; i < found.results.length; i++) {
    check(found.results[i].score <= found.results[i - 1].score, "search results by descending score", show(found.results));
  }
  check(foundText.split("\n")[0].includes("security"), "search text starts with security", foundText);
  const { sc: one } = await call("wasm_gallery_search", { query: "ruby script", limit: 1 });
  check(one.results.length === 1, "search limit 1 gives one result", show(one.results));
  const { sc: none, text: noneText } = await call("wasm_gallery_search", { query: "zzzqqqxxy" });
  check(none.results.length === 0 && /No template matches/.test(noneText), "a query matching nothing", noneText);
  await callError("wasm_gallery_search", { query: "code", limit: 100000 }, /limit: must be between 1 and 100/, "search above the limit cap");
  await callError("wasm_gallery_search", { query: "  " }, /query/, "search without words");
  // Arguments that break a tool's inputSchema are tool errors naming the argument.
  await callError("wasm_agent_state", { agentId: 5 }, /"agentId": expected string/, "an agentId of the wrong type");
  await callError("wasm_agent_state", {}, /missing required argument "agentId"/, "a missing agentId");
  await callError("wasm_agent_state", { agentId: kUnknownAgent, agent: 1 }, /unknown argument "agent"/, "an unknown argument");

  step("gallery categories");
  const { sc: cats, text: catsText } = await call("wasm_gallery_categories", {});
  const catNames = cats.categories.map((c) => c.name);
  check(isDeepStrictEqual(catNames, [...catNames].sort()), "categories sorted by name", show(catNames));
  check(cats.categories.reduce((a, c) => a + c.count, 0) === list.templates.length, "category counts add up to the template count",
    show(cats.categories));
  check(catNames.includes("security") && catsText.includes("security ("), "categories include security", catsText);

  step("gallery list_by_category");
  for (const c of cats.categories) {
    const { sc } = await call("wasm_gallery_list_by_category", { category: c.name });
    check(sc.category === c.name && sc.templates.length === c.count, `category ${c.name} has ${c.count} templates`, show(sc));
    check(sc.templates.every((t) => t.category === c.name), `category ${c.name} lists only its templates`, show(sc));
  }
  await callError("wasm_gallery_list_by_category", { category: "no-such-category" }, /no-such-category.*Known categories: .*security/s,
    "an unknown category");
  await callError("wasm_gallery_list_by_category", { category: kBadIdentifier }, /categor/i, "a malformed category");

  step("gallery load_rvf");
  const { sc: rvf } = await call("wasm_gallery_load_rvf", { id: "coder" });
  check(rvf.id === "coder" && rvf.sizeBytes > 0 && rvf.rvfBase64.length > 0, "load_rvf packs coder", show(rvf));
  check(Buffer.from(rvf.rvfBase64, "base64").length === rvf.sizeBytes, "load_rvf sizeBytes is the decoded size");
  const { sc: swarmRvf } = await call("wasm_gallery_load_rvf", { id: "swarm" });
  check(swarmRvf.id === "orchestrator", "load_rvf resolves the swarm alias", show(swarmRvf.id));
  await callError("wasm_gallery_load_rvf", { id: "no-such-template" }, /no template "no-such-template"; nearest ids: /,
    "load_rvf of an unknown template");
  await callError("wasm_gallery_load_rvf", { id: kBadIdentifier }, /no template/, "load_rvf of a malformed id");
  return { rvf };
}

async function swarmAgent() {
  step("gallery create swarm");
  const { sc, text } = await call("wasm_gallery_create", { template: "swarm" });
  check(kAgentIdPattern.test(sc.agentId), "gallery_create returns an agent id", sc.agentId);
  check(sc.template === "orchestrator", "swarm is an alias of orchestrator", show(sc));
  check(sc.status === "active" && sc.turnCount === 0 && sc.fileCount === 0, "a new agent is active and empty", show(sc));
  check(text.includes(sc.agentId), "gallery_create text names the agent", text);
  await callError("wasm_gallery_create", { template: "no-such-template" }, /no-such-template/, "gallery_create of an unknown template");
  await callError("wasm_gallery_create", { template: kBadIdentifier }, /template/, "gallery_create of a malformed template id");
  const { sc: active } = await call("wasm_gallery_active", {});
  check(active.activeId === "orchestrator", "creating from swarm makes orchestrator active", show(active));
  // The orchestrator is not granted ruby: run must be refused.
  const { sc: tools } = await call("wasm_agent_tools", { agentId: sc.agentId });
  check(!tools.programs.includes("ruby"), "the swarm agent may not run ruby", show(tools.programs));
  return sc.agentId;
}

const kInput = "alpha\nbeta\ngamma\n";
// Reads /in.txt, writes /out.txt: a header with the line count, then the
// lines upper-cased in reverse order; prints a line to stdout.
const kScript = [
  'lines = File.readlines("/in.txt", chomp: true)',
  'File.write("/out.txt", "lines=#{lines.size}\\n" + lines.reverse.map(&:upcase).join("\\n") + "\\n")',
  'puts "wrote #{File.size("/out.txt")} bytes"',
  "",
].join("\n");
function expectedOut(input) {
  const lines = input.split("\n").filter((l, i, a) => !(i === a.length - 1 && l === ""));
  return `lines=${lines.length}\n${lines.reverse().map((l) => l.toUpperCase()).join("\n")}\n`;
}

async function customAgent() {
  step("create custom agent");
  const toolsGranted = ["read_file", "write_file", "edit_file", "list_files", "run", "write_todos", "grep", "glob", "delete_file"];
  const { sc } = await call("wasm_agent_create", { name: "t", runtimes: ["coreutils", "ruby"], tools: toolsGranted, limits: kRubyLimits });
  const id = sc.agentId;
  check(kAgentIdPattern.test(id), "wasm_agent_create returns an agent id", id);
  check(sc.name === "t" && sc.template === "" && sc.status === "active", "custom agent summary", show(sc));
  check(kHexDigest.test(sc.stateDigest), "create reports a state digest", show(sc));
  await callError("wasm_agent_create", { template: "no-such-template" }, /no-such-template/, "create from an unknown template");
  await callError("wasm_agent_create", { template: kBadIdentifier }, /template/, "create from a malformed template id");
  await callError("wasm_agent_create", { tools: ["bash"] }, /bash/, "create with an unknown built-in tool");
  await callError("wasm_agent_create", { template: "coder", rvf: "AAAA" }, /either template or rvf/, "create with template and rvf");
  await callError("wasm_agent_create", { rvf: "not base64!!" }, /rvf/, "create from a malformed rvf");

  step("agent tools");
  const { sc: t } = await call("wasm_agent_tools", { agentId: id });
  check(isDeepStrictEqual(t.tools.map((x) => x.name).sort(), [...toolsGranted].sort()), "wasm_agent_tools lists the granted tools",
    show(t.tools.map((x) => x.name)));
  check(t.tools.every((x) => x.inputSchema?.type === "object" && typeof x.description === "string"),
    "each agent tool has a description and an object inputSchema",
    show(t.tools[0]));
  for (const p of ["ruby", "wc", "cat", "ls", "grep", "sort"]) check(t.programs.includes(p), `agent may run ${p}`, show(t.programs));

  step("ruby");
  await mutate(id, "tool", "wasm_agent_tool", tool(id, "write_file", { path: "/in.txt", content: kInput }), "write /in.txt");
  const { sc: w } = await mutate(id, "tool", "wasm_agent_tool", tool(id, "write_file", { path: "/script.rb", content: kScript }),
    "write /script.rb");
  check(w.path === "/script.rb" && w.created === true && w.size === Buffer.byteLength(kScript), "write_file result", show(w));
  const seqScript = await journalSeq(id);
  const { sc: run, text: runText } = await mutate(id, "tool", "wasm_agent_run", { agentId: id, program: "ruby", args: ["/script.rb"] },
    "run ruby /script.rb");
  const want = expectedOut(kInput);
  check(run.status === "exited" && run.exitCode === 0, "ruby exits 0", show(run));
  check(run.stdout === `wrote ${Buffer.byteLength(want)} bytes\n`, "ruby's stdout", show(run.stdout));
  check(run.changes.some((c) => c.path === "/out.txt" && c.type === "file"), "run reports /out.txt as changed", show(run.changes));
  check(run.fuelUsed > 0, "run reports fuel used", run.fuelUsed);
  check(runText.includes("exited with code 0") && runText.includes("/out.txt"), "run text", runText);
  const out = await readOnly(id, "wasm_agent_tool", tool(id, "read_file", { path: "/out.txt" }), "read /out.txt");
  check(out.sc.content === want, "the file the Ruby script wrote has the expected content", show(out.sc.content));
  check(out.text === want, "read_file text is the file content", show(out.text));

  step("ruby failures");
  // A script that raises exits 1: the run itself worked (no isError), like a
  // shell; its stderr names the exception and its file changes are kept.
  await call("wasm_agent_tool", tool(id, "write_file", { path: "/bad.rb", content: 'File.write("/partial.txt", "x")\nraise "boom"\n' }));
  const { sc: raised, text: raisedText } = await call("wasm_agent_run", { agentId: id, program: "ruby", args: ["/bad.rb"] },
    "run a raising script");
  check(raised.status === "exited" && raised.exitCode === 1, "a raising script exits 1", show(raised));
  check(/boom \(RuntimeError\)/.test(raised.stderr) && /boom/.test(raisedText), "stderr names the exception", show(raised.stderr));
  check((await fileMap(id))["/partial.txt"] === "file:1", "an exited run's file changes are kept");
  // A run stopped by a limit is isError and its file changes are discarded.
  // Ruby needs about 2.3e8 fuel to start, so 4e8 stops the loop after the write.
  await call("wasm_agent_tool", tool(id, "write_file", { path: "/spin.rb", content: 'File.write("/spun.txt", "x")\nloop { }\n' }));
  const seqSpin = await journalSeq(id);
  const r = await client.callTool({ name: "wasm_agent_run", arguments: { agentId: id, program: "ruby", args: ["/spin.rb"], fuel: 400_000_000 } });
  const rText = textOf(r, "ruby out of fuel");
  check(r.isError === true, "a run that runs out of fuel gives isError", show(r));
  check(r.structuredContent?.status === "out_of_fuel" && r.structuredContent.exitCode === null, "status out_of_fuel", show(r.structuredContent));
  check(r.structuredContent.changes.length === 0 && /discarded/.test(rText), "its changes are reported discarded", rText);
  const v = validators.get("wasm_agent_run")(r.structuredContent);
  check(v.valid, "a failed run's structuredContent matches the outputSchema", v.errorMessage);
  check(!(await fileMap(id))["/spun.txt"], "a failed run's file changes are discarded");
  check((await journalSeq(id)) === seqSpin + 1, "a failed run is journaled too (its inputs decide the next runs' seeds)");
  for (const p of ["/bad.rb", "/partial.txt", "/spin.rb"]) await call("wasm_agent_tool", tool(id, "delete_file", { path: p }), `delete ${p}`);

  await callError("wasm_agent_run", { agentId: kUnknownAgent, program: "ruby", args: ["/script.rb"] }, /no agent/, "run on an unknown agent");
  await callError("wasm_agent_run", { agentId: kBadIdentifier, program: "ruby" }, /agentId/, "run with a malformed agentId");
  await callError("wasm_agent_run", { agentId: id, program: "python3" }, /python3/, "run of a program that does not exist");

  step("wc");
  const { sc: wc } = await call("wasm_agent_run", { agentId: id, program: "wc", args: ["-l", "/in.txt"] }, "run wc -l");
  check(wc.status === "exited" && wc.exitCode === 0, "wc exits 0", show(wc));
  check(wc.stdout.trim() === "3 /in.txt", "wc -l counts 3 lines", show(wc.stdout));
  check(wc.changes.length === 0, "wc changes no file", show(wc.changes));
  const { sc: wcIn } = await call("wasm_agent_run", { agentId: id, program: "wc", args: ["-w"], stdin: "one two three four\n" },
    "run wc -w on stdin");
  check(wcIn.stdout.trim() === "4", "wc -w counts stdin words", show(wcIn.stdout));
  const { sc: ls } = await call("wasm_agent_run", { agentId: id, program: "ls", args: ["/"] }, "run ls /");
  check(["in.txt", "out.txt", "script.rb"].every((f) => ls.stdout.split("\n").includes(f)), "ls / lists the files", show(ls.stdout));

  step("edit_file");
  const { sc: ed } = await mutate(id, "tool", "wasm_agent_tool",
    tool(id, "edit_file", { path: "/in.txt", old_string: "beta", new_string: "BETA-2" }), "edit a unique string");
  check(ed.replacements === 1, "edit_file replaces once", show(ed));
  check((await readText(id, "/in.txt", "read edited")) === "alpha\nBETA-2\ngamma\n", "edit_file changed the file");
  await call("wasm_agent_tool", tool(id, "write_file", { path: "/dup.txt", content: "x = 1\nx = 1\n" }), "write /dup.txt");
  const seqBefore = await journalSeq(id);
  await callError("wasm_agent_tool", tool(id, "edit_file", { path: "/dup.txt", old_string: "x = 1", new_string: "y" }),
    /occurs 2 times/, "edit_file with an ambiguous old_string");
  await callError("wasm_agent_tool", tool(id, "edit_file", { path: "/dup.txt", old_string: "", new_string: "y" }),
    /old_string.*empty/, "edit_file with an empty old_string");
  await callError("wasm_agent_tool", tool(id, "edit_file", { path: "/dup.txt", old_string: "zzz", new_string: "y" }),
    /not found/, "edit_file with an absent old_string");
  check((await journalSeq(id)) === seqBefore, "failed edits are not journaled");
  check((await readText(id, "/dup.txt", "read /dup.txt")) === "x = 1\nx = 1\n", "failed edits leave the file as it was");
  const { sc: all } = await call("wasm_agent_tool",
    tool(id, "edit_file", { path: "/dup.txt", old_string: "x = 1", new_string: "y", replace_all: true }), "edit_file replace_all");
  check(all.replacements === 2, "replace_all replaces both", show(all));

  step("other agent tools");
  const { sc: g } = await readOnly(id, "wasm_agent_tool", tool(id, "grep", { pattern: "GAMMA" }), "grep");
  check(g.count === 1 && g.matches[0].path === "/out.txt" && g.matches[0].line === 2, "grep finds GAMMA in /out.txt", show(g));
  const { sc: gl } = await call("wasm_agent_tool", tool(id, "glob", { pattern: "/*.txt" }), "glob");
  check(isDeepStrictEqual([...gl.matches].sort(), ["/dup.txt", "/in.txt", "/out.txt"]), "glob *.txt", show(gl.matches));
  const { sc: lf } = await call("wasm_agent_tool", tool(id, "list_files", { path: "/" }), "list_files");
  check(lf.entries.some((e) => e.path === "/script.rb" && e.size === Buffer.byteLength(kScript)), "list_files shows /script.rb", show(lf));
  await mutate(id, "tool", "wasm_agent_tool", tool(id, "delete_file", { path: "/dup.txt" }), "delete /dup.txt");
  await callError("wasm_agent_tool", tool(id, "read_file", { path: "/dup.txt" }), /dup\.txt/, "read a deleted file");
  await callError("wasm_agent_tool", tool(id, "bash", { command: "ls" }), /unknown tool "bash"/, "an unknown agent tool");
  await callError("wasm_agent_tool", tool(id, kBadIdentifier, {}), /toolName/, "a malformed tool name");
  await callError("wasm_agent_tool", tool(kUnknownAgent, "read_file", { path: "/in.txt" }), /no agent/, "a tool on an unknown agent");
  await callError("wasm_agent_tool", tool(kBadIdentifier, "read_file", { path: "/in.txt" }), /agentId/, "a tool with a malformed agentId");
  await callError("wasm_agent_tool", tool(id, "write_file", { path: "/x", content: 1 }), /content/, "write_file with a non-string content");

  step("todos");
  const todos = [
    { id: "1", content: "write the script", status: "completed" },
    { id: "2", content: "run it", status: "in_progress" },
    { id: "3", content: "check the output", status: "pending" },
  ];
  const { sc: wt } = await mutate(id, "tool", "wasm_agent_tool", tool(id, "write_todos", { todos }), "write_todos");
  check(wt.count === 3, "write_todos stores three", show(wt));
  const { sc: td, text: tdText } = await readOnly(id, "wasm_agent_todos", { agentId: id }, "wasm_agent_todos");
  check(td.count === 3 && isDeepStrictEqual(td.todos.map((x) => [x.content, x.status]), todos.map((x) => [x.content, x.status])),
    "wasm_agent_todos returns the list", show(td.todos));
  check(tdText.includes("[completed] write the script"), "todos text", tdText);
  await callError("wasm_agent_tool", tool(id, "write_todos", { todos: [{ content: "x", status: "doing" }] }), /status/,
    "a todo with an unknown status");

  step("files / state / turn_count / is_stopped");
  const files = await fileMap(id);
  check(isDeepStrictEqual(Object.keys(files).sort(), ["/in.txt", "/out.txt", "/script.rb"]), "wasm_agent_files lists the files",
    show(files));
  const { sc: fsc, text: ftext } = await call("wasm_agent_files", { agentId: id });
  check(fsc.fileCount === 3 && ftext.includes("script.rb"), "files text and count", ftext);
  const { sc: st, text: stText } = await call("wasm_agent_state", { agentId: id });
  check(st.agentId === id && st.fileCount === 3 && st.todos.length === 3 && kHexDigest.test(st.stateDigest), "state summary", show(st));
  check(stText.includes(st.stateDigest), "state text names the digest", stText);
  const { sc: tc, text: tcText } = await call("wasm_agent_turn_count", { agentId: id });
  check(tc.turnCount === 0 && tc.maxTurns === 50, "turn count 0 of 50", show(tc));
  check(tcText === "0 of 50 turns used", "turn_count text", tcText);
  const { sc: is } = await call("wasm_agent_is_stopped", { agentId: id });
  check(is.isStopped === false, "a new agent is not stopped", show(is));

  step("prompt");
  await callError("wasm_agent_prompt", { agentId: id, input: "hello" }, /ANTHROPIC_API_KEY/, "prompt without a model API key");
  await callError("wasm_agent_prompt", { agentId: kUnknownAgent, input: "hello" }, /no agent/, "prompt to an unknown agent");
  await callError("wasm_agent_prompt", { agentId: kBadIdentifier, input: "hello" }, /agentId/, "prompt with a malformed agentId");
  return { id, seqScript };
}

async function stopResumeReset(id) {
  step("stop / resume");
  const { sc: s } = await mutate(id, "stop", "wasm_agent_stop", { agentId: id }, "stop");
  check(s.status === "stopped", "stop reports stopped", show(s));
  const { sc: is } = await call("wasm_agent_is_stopped", { agentId: id });
  check(is.isStopped === true && is.reason === "stopped", "is_stopped after stop", show(is));
  const seq = await journalSeq(id);
  await callError("wasm_agent_tool", tool(id, "write_file", { path: "/late.txt", content: "x" }), /stopped.*resume/,
    "a change to a stopped agent");
  await callError("wasm_agent_run", { agentId: id, program: "wc", args: ["/in.txt"] }, /stopped/, "run on a stopped agent");
  check((await journalSeq(id)) === seq, "refused changes are not journaled");
  check((await readText(id, "/in.txt", "read while stopped")).startsWith("alpha"), "reads work while stopped");
  const { sc: r } = await mutate(id, "resume", "wasm_agent_resume", { agentId: id }, "resume");
  check(r.status === "active", "resume reports active", show(r));
  const { sc: is2 } = await call("wasm_agent_is_stopped", { agentId: id });
  check(is2.isStopped === false, "is_stopped after resume", show(is2));
  await call("wasm_agent_tool", tool(id, "write_file", { path: "/late.txt", content: "x" }), "a change after resume");
  await call("wasm_agent_tool", tool(id, "delete_file", { path: "/late.txt" }), "delete /late.txt");

  step("reset");
  await call("wasm_agent_stop", { agentId: id }, "stop before reset");
  const { sc: rs } = await mutate(id, "reset", "wasm_agent_reset", { agentId: id }, "reset");
  check(rs.reset === true, "reset result", show(rs));
  const { sc: st } = await call("wasm_agent_state", { agentId: id });
  check(st.status === "active" && st.turnCount === 0 && st.messages.length === 0, "reset: active, no turns, no messages", show(st));
  check(st.fileCount === 3 && st.todos.length === 3, "reset keeps files and todos", show(st));

  for (const name of ["wasm_agent_stop", "wasm_agent_resume", "wasm_agent_reset", "wasm_agent_is_stopped", "wasm_agent_turn_count",
    "wasm_agent_state", "wasm_agent_todos", "wasm_agent_tools", "wasm_agent_files", "wasm_agent_export", "wasm_agent_journal",
    "wasm_agent_fork", "wasm_agent_replay", "wasm_agent_terminate"]) {
    await callError(name, { agentId: kUnknownAgent }, /no agent "agt_0000000000000000"/, `${name} on an unknown agent`);
    await callError(name, { agentId: kBadIdentifier }, /agentId: expected 1 to 64 characters/, `${name} with a malformed agentId`);
  }
}

// wasm_agent_stop ends a running program: the run comes back as isError
// with status "interrupted" (or, when the stop got the agent first, is
// refused because the agent is stopped), never runs on to its fuel limit.
async function interrupt() {
  step("stop interrupts a run");
  const { sc: a } = await call("wasm_agent_create", { name: "spinner", runtimes: ["coreutils"], tools: ["run"] }, "create spinner");
  const id = a.agentId;
  const running = client.callTool({ name: "wasm_agent_run", arguments: { agentId: id, program: "seq", args: ["1", "1000000000000"] } });
  const { sc: s } = await call("wasm_agent_stop", { agentId: id }, "stop during a run");
  check(s.status === "stopped", "stop during a run reports stopped", show(s));
  const r = await running;
  const text = textOf(r, "the interrupted run");
  check(r.isError === true, "the interrupted run is isError", text.slice(0, 300));
  if (r.structuredContent) {
    console.log(`${tag}: stop interrupted a running program after ${r.structuredContent.fuelUsed} fuel`);
    check(r.structuredContent.status === "interrupted", "the run ended because of the stop", show({ ...r.structuredContent, stdout: "..." }));
    check(validators.get("wasm_agent_run")(r.structuredContent).valid, "the interrupted run's structuredContent matches the outputSchema");
  } else {
    console.log(`${tag}: stop reached the agent before the run started`);
    check(/stopped/.test(text), "a run after the stop is refused", text);
  }
  await call("wasm_agent_resume", { agentId: id }, "resume the spinner");
  const { sc: again } = await call("wasm_agent_run", { agentId: id, program: "seq", args: ["3"] }, "run after resume");
  check(again.stdout === "1\n2\n3\n", "a run after resume is not interrupted", show(again));
  await call("wasm_agent_terminate", { agentId: id }, "terminate the spinner");
}

async function exportImport(id) {
  step("export / terminate / import");
  const { sc: before } = await call("wasm_agent_state", { agentId: id });
  const filesBefore = await fileMap(id);
  const outBefore = await readText(id, "/out.txt", "read before export");
  const { sc: doc, text } = await readOnly(id, "wasm_agent_export", { agentId: id }, "export");
  check(doc.format === "wasmgate.agent", "export format", show(doc.format));
  check(text.includes(id), "export text names the agent", text);
  const { sc: term } = await call("wasm_agent_terminate", { agentId: id });
  check(term.terminated === true && term.agentId === id, "terminate result", show(term));
  await callError("wasm_agent_state", { agentId: id }, /no agent/, "state of a terminated agent");
  const { sc: listed } = await call("wasm_agent_list", {});
  check(!listed.agents.some((a) => a.agentId === id), "a terminated agent is not listed", show(listed));

  // A tampered export is refused: change one file's content, keep the digests.
  const tampered = structuredClone(doc);
  const docText = JSON.stringify(tampered);
  const encodedOut = Buffer.from(outBefore).toString("base64");
  check(docText.includes(encodedOut) || docText.includes(JSON.stringify(outBefore).slice(1, -1)),
    "the export carries /out.txt's content", docText.slice(0, 300));
  const tamperedText = docText.includes(encodedOut)
    ? docText.replace(encodedOut, Buffer.from(outBefore.replace("ALPHA", "OMEGA")).toString("base64"))
    : docText.replace(JSON.stringify(outBefore).slice(1, -1), JSON.stringify(outBefore.replace("ALPHA", "OMEGA")).slice(1, -1));
  await callError("wasm_agent_import", { export: JSON.parse(tamperedText) }, /out\.txt.*(sha256|digest)/, "import of a tampered export");
  await callError("wasm_agent_import", { export: { format: "something-else" } }, /format|export/, "import of a non-export");
  await callError("wasm_agent_import", { export: "{not json" }, /export/, "import of malformed JSON text");
  await callError("wasm_agent_import", { export: doc, agentId: kBadIdentifier }, /agentId/, "import under a malformed agentId");

  const { sc: imp, text: impText } = await call("wasm_agent_import", { export: doc });
  check(imp.agentId === id, "import reuses the free exported id", show(imp));
  check(imp.stateDigest === before.stateDigest, "import: same state digest as before export", `${imp.stateDigest} vs ${before.stateDigest}`);
  check(impText.includes("verified"), "import text says the digests were verified", impText);
  const { sc: after } = await call("wasm_agent_state", { agentId: id });
  check(after.vfsDigest === before.vfsDigest && after.stateDigest === before.stateDigest, "imported agent's digests", show(after));
  check(after.journalSeq === before.journalSeq + 1, "import appends one journal entry to the exported history",
    `${before.journalSeq} -> ${after.journalSeq}`);
  check(isDeepStrictEqual(await fileMap(id), filesBefore), "imported agent has the same files");
  check((await readText(id, "/out.txt", "read after import")) === outBefore, "imported /out.txt has the same content");
  const { sc: j } = await call("wasm_agent_journal", { agentId: id, afterSeq: before.journalSeq });
  check(j.entries.length === 1 && j.entries[0].op === "import", "the import is journaled", show(j.entries));

  // Import as text under a chosen id: a second copy.
  const { sc: copy } = await call("wasm_agent_import", { export: JSON.stringify(doc), agentId: "copy-1" }, "import JSON text");
  check(copy.agentId === "copy-1" && copy.stateDigest !== undefined, "import under a chosen id", show(copy));
  const { sc: copyState } = await call("wasm_agent_state", { agentId: "copy-1" });
  check(copyState.vfsDigest === before.vfsDigest, "the copy has the same files", show(copyState.vfsDigest));
  await callError("wasm_agent_import", { export: doc, agentId: "copy-1" }, /already taken/, "import onto a taken id");
  await call("wasm_agent_terminate", { agentId: "copy-1" }, "terminate the copy");
  await callError("wasm_agent_terminate", { agentId: "copy-1" }, /no agent/, "terminate twice");
}

async function fork(id) {
  step("fork");
  const { sc: origin } = await call("wasm_agent_state", { agentId: id });
  const { sc: f } = await call("wasm_agent_fork", { agentId: id, name: "fork-1" });
  check(kAgentIdPattern.test(f.agentId) && f.agentId !== id && f.forkedFrom === id, "fork result", show(f));
  const fid = f.agentId;
  const { sc: fs } = await call("wasm_agent_state", { agentId: fid });
  check(fs.vfsDigest === origin.vfsDigest, "the fork starts with the same files", show(fs));
  check(fs.journalSeq === origin.journalSeq + 1, "the fork keeps its origin's journal plus one entry", `${origin.journalSeq} -> ${fs.journalSeq}`);
  await mutate(fid, "tool", "wasm_agent_tool", tool(fid, "write_file", { path: "/fork-only.txt", content: "mine\n" }), "write in the fork");
  await mutate(fid, "tool", "wasm_agent_tool", tool(fid, "edit_file", { path: "/in.txt", old_string: "alpha", new_string: "ALPHA" }),
    "edit in the fork");
  const { sc: o2 } = await call("wasm_agent_state", { agentId: id });
  check(o2.stateDigest === origin.stateDigest && o2.vfsDigest === origin.vfsDigest, "the origin is unchanged by the fork's writes");
  check(!(await fileMap(id))["/fork-only.txt"], "the origin does not see the fork's file");
  check((await readText(id, "/in.txt", "origin /in.txt")).startsWith("alpha\n"), "the origin's /in.txt is unchanged");
  check((await readText(fid, "/in.txt", "fork /in.txt")).startsWith("ALPHA\n"), "the fork's /in.txt changed");
  const { sc: fs2 } = await call("wasm_agent_state", { agentId: fid });
  check(fs2.vfsDigest !== origin.vfsDigest, "the fork's files diverged", show(fs2.vfsDigest));
  // The origin's writes do not reach the fork either.
  await call("wasm_agent_tool", tool(id, "write_file", { path: "/origin-only.txt", content: "o\n" }), "write in the origin");
  check(!(await fileMap(fid))["/origin-only.txt"], "the fork does not see the origin's new file");
  await call("wasm_agent_tool", tool(id, "delete_file", { path: "/origin-only.txt" }), "delete in the origin");
  return fid;
}

// Replay re-executes the journal (file tools, Ruby and utility runs, stop,
// reset, the import) and must land on the live agent's state digest; a fork
// at a past journal entry is the agent as it was then.
async function replay(id, seqScript) {
  step("replay");
  const { sc: st } = await call("wasm_agent_state", { agentId: id });
  const { sc: r, text } = await readOnly(id, "wasm_agent_replay", { agentId: id }, "replay the whole journal");
  check(r.ok === true && r.entries === st.journalSeq && r.replayed === st.journalSeq, "replay re-executes every entry", show(r));
  check(r.finalStateDigest === st.stateDigest, "replay ends on the live state digest", `${r.finalStateDigest} vs ${st.stateDigest}`);
  check(text.length > 0 && !/diverge/i.test(text), "replay text", text);
  const { sc: part } = await call("wasm_agent_replay", { agentId: id, untilSeq: seqScript }, "replay until the script was written");
  check(part.ok === true && part.replayed === seqScript, "replay stops at untilSeq", show(part));
  await callError("wasm_agent_replay", { agentId: id, untilSeq: 0 }, /untilSeq/, "replay untilSeq 0");

  step("fork at a past journal entry");
  const { sc: f } = await call("wasm_agent_fork", { agentId: id, atSeq: seqScript, name: "before the run" }, "fork atSeq");
  check(f.forkedFrom === id && f.atSeq === seqScript, "fork atSeq result", show(f));
  const files = await fileMap(f.agentId);
  check(files["/script.rb"] !== undefined && files["/in.txt"] !== undefined && files["/out.txt"] === undefined,
    "the fork at the script's entry has the script but not the script's output", show(files));
  check((await readText(f.agentId, "/in.txt", "read the past /in.txt")) === kInput, "the past /in.txt is the unedited one");
  const { sc: fj } = await call("wasm_agent_journal", { agentId: f.agentId }, "the past fork's journal");
  check(fj.lastSeq === seqScript + 1, "the past fork's journal is the history up to atSeq plus the fork", show(fj.lastSeq));
  await callError("wasm_agent_fork", { agentId: id, atSeq: st.journalSeq + 100 }, /atSeq: no journal entry/, "fork at a future entry");
  await call("wasm_agent_terminate", { agentId: f.agentId }, "terminate the past fork");
}

async function compose() {
  step("compose");
  const spec = {
    name: "Composed Helper",
    description: "A composed agent for the integration test",
    instructions: "Be brief.",
    maxTurns: 12,
    skills: [{ name: "summarise", description: "Summarise a file", trigger: "summary", content: "Read and summarise." }],
    mcpTools: ["memory_search"],
    prompts: [{ name: "main", systemPrompt: "You help.", version: "1" }],
  };
  const { sc: c, text } = await call("wasm_agent_compose", spec);
  check(c.manifest.name === "Composed Helper" && isDeepStrictEqual(c.manifest.skills, ["summarise"]), "compose manifest", show(c.manifest));
  check(isDeepStrictEqual(c.manifest.mcpTools, ["memory_search"]) && c.manifest.prompts === 1, "compose manifest tools and prompts",
    show(c.manifest));
  const bytes = Buffer.from(c.rvfBase64, "base64");
  check(bytes.length === c.manifest.rvfSizeBytes, "compose size", `${bytes.length} vs ${c.manifest.rvfSizeBytes}`);
  check(text.includes("wasm_agent_create"), "compose text says how to load it", text);
  await callError("wasm_agent_compose", { name: "x", mcpTools: ["agent_delete"] }, /agent_delete.*mcpToolsAllowDestructive/,
    "compose with a destructive MCP tool");
  const { sc: d } = await call("wasm_agent_compose", { name: "x", mcpTools: ["agent_delete"], mcpToolsAllowDestructive: true },
    "compose with a destructive tool allowed");
  check(isDeepStrictEqual(d.manifest.mcpTools, ["agent_delete"]), "the allowed destructive tool is embedded", show(d.manifest));

  step("create from rvf");
  const { sc: a } = await call("wasm_agent_create", { rvf: c.rvfBase64 }, "create {rvf: composed}");
  const { sc: as } = await call("wasm_agent_state", { agentId: a.agentId });
  check(as.config.name === "Composed Helper" && as.config.maxTurns === 12 && as.config.instructions === "Be brief.",
    "the composed agent's config", show(as.config));
  // Flip one byte in the middle: the checksum must catch it.
  const broken = Buffer.from(bytes);
  broken[Math.floor(broken.length / 2)] ^= 0x40;
  await callError("wasm_agent_create", { rvf: broken.toString("base64") }, /rvf/i, "create from a corrupted rvf");
  await callError("wasm_agent_create", { rvf: bytes.subarray(0, 10).toString("base64") }, /rvf/i, "create from a truncated rvf");
  return a.agentId;
}

async function loadRvfAgent(rvf) {
  step("create from load_rvf");
  const { sc: a } = await call("wasm_agent_create", { rvf: rvf.rvfBase64, name: "from coder rvf" }, "create {rvf: coder}");
  const { sc: st } = await call("wasm_agent_state", { agentId: a.agentId });
  check(st.config.name === "from coder rvf" && st.config.runtimes.includes("coreutils") && st.config.tools.includes("run"),
    "an agent from the coder RVF has coder's grants", show(st.config));
  const { sc: r } = await call("wasm_agent_run", { agentId: a.agentId, program: "echo", args: ["hi"] }, "echo in the rvf agent");
  check(r.stdout === "hi\n", "echo hi", show(r.stdout));
  return a.agentId;
}

async function customTemplates() {
  step("custom templates");
  const tmpl = {
    id: "my-ruby",
    name: "My Ruby Worker",
    description: "Runs small Ruby jobs over files",
    category: "scripting",
    tags: ["ruby", "jobs"],
    maxTurns: 9,
    tools: ["read_file", "write_file", "run"],
    runtimes: ["ruby"],
    limits: kRubyLimits,
  };
  const { sc: add } = await call("wasm_gallery_add_custom", { template: tmpl });
  check(add.id === "my-ruby" && add.replaced === false, "add_custom adds", show(add));
  const { sc: again, text: againText } = await call("wasm_gallery_add_custom", { template: { ...tmpl, maxTurns: 8 } }, "add_custom again");
  check(again.replaced === true && /Replaced/.test(againText), "add_custom replaces", show(again));
  await callError("wasm_gallery_add_custom", { template: { id: "Bad Id", name: "x" } }, /id/, "add_custom with a malformed id");
  await callError("wasm_gallery_add_custom", { template: { id: "coder", name: "x" } }, /coder/, "add_custom over a built-in");
  await callError("wasm_gallery_add_custom", { template: { ...tmpl, maxTurn: 3 } }, /maxTurns/, "add_custom with a misspelt key");
  const { sc: list } = await call("wasm_gallery_list", {}, "list with a custom");
  const mine = list.templates.find((t) => t.id === "my-ruby");
  check(mine?.custom === true && mine.maxTurns === 8 && mine.category === "scripting", "the custom template is listed", show(mine));
  const { sc: cat } = await call("wasm_gallery_list_by_category", { category: "scripting" }, "custom category");
  check(isDeepStrictEqual(cat.templates.map((t) => t.id), ["my-ruby"]), "the custom category lists it", show(cat));
  const { sc: found } = await call("wasm_gallery_search", { query: "ruby jobs" }, "search custom");
  check(found.results[0]?.id === "my-ruby", "search ranks the custom template first for its words", show(found.results.map((r) => r.id)));

  const { sc: exp } = await call("wasm_gallery_export", {});
  check(exp.exported.length === 1 && exp.exported[0].id === "my-ruby" && exp.exported[0].maxTurns === 8, "export_custom", show(exp));
  const { sc: rm } = await call("wasm_gallery_remove_custom", { id: "my-ruby" });
  check(rm.id === "my-ruby", "remove_custom", show(rm));
  await callError("wasm_gallery_remove_custom", { id: "my-ruby" }, /my-ruby/, "remove_custom twice");
  await callError("wasm_gallery_remove_custom", { id: "coder" }, /built-in|coder/, "remove_custom of a built-in");
  await callError("wasm_gallery_remove_custom", { id: kBadIdentifier }, /no custom template/, "remove_custom with a malformed id");
  await callError("wasm_gallery_create", { template: "my-ruby" }, /my-ruby/, "create from a removed template");
  const { sc: empty } = await call("wasm_gallery_export", {}, "export after remove");
  check(empty.exported.length === 0, "nothing to export after remove", show(empty));

  const { sc: imp } = await call("wasm_gallery_import", { templatesJson: JSON.stringify(exp.exported) });
  check(imp.importedCount === 1 && isDeepStrictEqual(imp.ids, ["my-ruby"]), "gallery_import", show(imp));
  await callError("wasm_gallery_import", { templatesJson: "[{not json" }, /templatesJson: JSON syntax error/, "gallery_import of malformed JSON");
  await callError("wasm_gallery_import", { templatesJson: JSON.stringify([{ ...tmpl, id: "ok-one" }, { id: "Bad Id", name: "x" }]) },
    /templates\[1\]/, "gallery_import with a bad entry names it");
  const { sc: after } = await call("wasm_gallery_export", {}, "export after import");
  check(isDeepStrictEqual(after.exported, exp.exported), "import restores the exported template exactly", show(after));

  const { sc: a } = await call("wasm_gallery_create", { template: "my-ruby" }, "create from the custom template");
  check(a.template === "my-ruby" && a.maxTurns === 8, "agent from the custom template", show(a));
  await call("wasm_agent_tool", tool(a.agentId, "write_file", { path: "/hi.rb", content: 'File.write("/hi.txt", [1,2,3].sum.to_s)\n' }),
    "write /hi.rb");
  const { sc: r } = await call("wasm_agent_run", { agentId: a.agentId, program: "ruby", args: ["/hi.rb"] }, "ruby in the custom agent");
  check(r.exitCode === 0, "ruby in the custom agent exits 0", show(r));
  check((await readText(a.agentId, "/hi.txt", "read /hi.txt")) === "6", "the custom agent's Ruby wrote 6");
  await callError("wasm_agent_run", { agentId: a.agentId, program: "wc", args: ["/hi.txt"] }, /wc/,
    "a program the template does not grant");
  await callError("wasm_agent_tool", tool(a.agentId, "grep", { pattern: "x" }), /does not grant "grep"/, "a tool the template does not grant");
  return a.agentId;
}

async function configure() {
  step("configure / active / config");
  const { sc: first } = await call("wasm_gallery_create", { template: "tester" }, "create tester");
  const { sc: act, text: actText } = await call("wasm_gallery_active", {});
  check(act.activeId === "tester" && actText.includes("tester"), "tester is active", show(act));
  const { sc: c0 } = await call("wasm_gallery_config", {});
  check(isDeepStrictEqual(c0.config, {}), "no overrides yet", show(c0));
  const { sc: cf } = await call("wasm_gallery_configure", { config: { maxTurns: 7, model: "test:model" } });
  check(cf.active === "tester" && cf.config.maxTurns === 7, "configure result", show(cf));
  const { sc: c1, text: c1Text } = await call("wasm_gallery_config", {});
  check(isDeepStrictEqual(c1.config, { maxTurns: 7, model: "test:model" }), "config shows the overrides", show(c1));
  check(c1Text.includes("maxTurns"), "config text", c1Text);
  const { sc: a } = await call("wasm_gallery_create", { template: "tester" }, "create tester with overrides");
  check(a.maxTurns === 7 && a.model === "test:model", "the overrides apply to new agents", show(a));
  await call("wasm_gallery_configure", { config: { model: null } }, "remove an override");
  const { sc: c2 } = await call("wasm_gallery_config", {}, "config after removal");
  check(isDeepStrictEqual(c2.config, { maxTurns: 7 }), "null removes an override", show(c2));
  await callError("wasm_gallery_configure", { config: { maxTurn: 3 } }, /maxTurns/, "configure with a misspelt key");
  await callError("wasm_gallery_configure", { config: {} }, /empty/, "configure with nothing");
  return [first.agentId, a.agentId];
}

async function listAll(expected) {
  step("list");
  const { sc, text } = await call("wasm_agent_list", {});
  check(sc.count === sc.agents.length, "list count", show(sc));
  const ids = sc.agents.map((a) => a.agentId).sort();
  check(isDeepStrictEqual(ids, [...expected].sort()), "wasm_agent_list shows exactly the live agents", `${show(ids)} vs ${show(expected)}`);
  for (const id of expected) check(text.includes(id), `list text names ${id}`);
  return sc;
}

async function snapshot(ids) {
  const out = {};
  for (const id of ids) {
    const { sc } = await call("wasm_agent_state", { agentId: id }, "state for the restart snapshot");
    out[id] = { stateDigest: sc.stateDigest, vfsDigest: sc.vfsDigest, journalSeq: sc.journalSeq, status: sc.status, files: await fileMap(id) };
  }
  return out;
}

try {
  step("connect");
  await connect();
  const info = client.getServerVersion();
  check(info?.name === "wasmgate", "server name is wasmgate", show(info));
  const { rvf } = await gallery();
  const swarm = await swarmAgent();
  await callError("wasm_agent_run", { agentId: swarm, program: "ruby", args: ["/x.rb"] }, /does not grant/, "run on an agent not granted it");
  const { id: main, seqScript } = await customAgent();
  await stopResumeReset(main);
  await interrupt();
  await exportImport(main);
  const forked = await fork(main);
  await replay(main, seqScript);
  const composed = await compose();
  const fromRvf = await loadRvfAgent(rvf);
  const custom = await customTemplates();
  const testers = await configure();
  const live = [swarm, main, forked, composed, fromRvf, custom, ...testers];
  await listAll(live);
  // Terminate one more agent so the restart sees a deletion too.
  await call("wasm_agent_terminate", { agentId: composed }, "terminate the composed agent");
  const survivors = live.filter((x) => x !== composed);

  step("coverage");
  // wasm_agent_prompt cannot succeed without a model provider; its expected
  // isError (no API key, naming ANTHROPIC_API_KEY) is checked in customAgent().
  const missing = kAgentTools.filter((n) => n !== "wasm_agent_prompt" && !succeeded.has(n));
  check(missing.length === 0, "every tool but wasm_agent_prompt was called successfully", show(missing));
  const idTools = kAgentTools.filter((n) => !["wasm_agent_list", "wasm_agent_compose", "wasm_gallery_list", "wasm_gallery_search",
    "wasm_gallery_categories", "wasm_gallery_configure", "wasm_gallery_export", "wasm_gallery_active", "wasm_gallery_config",
    "wasm_gallery_import"].includes(n));
  const noFailure = idTools.filter((n) => !failedOn.has(n));
  check(noFailure.length === 0, "every tool taking an id got failing calls", show(noFailure));

  step("restart");
  const before = await snapshot(survivors);
  const { sc: exportBefore } = await call("wasm_gallery_export", {}, "templates before restart");
  const { sc: todosBefore } = await call("wasm_agent_todos", { agentId: main }, "todos before restart");
  await closeClient();
  await stopHttpServer();
  await connect();
  await listAll(survivors);
  const after = await snapshot(survivors);
  for (const id of survivors) check(isDeepStrictEqual(after[id], before[id]), `agent ${id} survives the restart`, `${show(before[id])} vs ${show(after[id])}`);
  check((await readText(main, "/out.txt", "read after restart")) === expectedOut(kInput), "/out.txt survives the restart");
  const { sc: todosAfter } = await call("wasm_agent_todos", { agentId: main }, "todos after restart");
  check(isDeepStrictEqual(todosAfter, todosBefore), "todos survive the restart", show(todosAfter));
  const { sc: exportAfter } = await call("wasm_gallery_export", {}, "templates after restart");
  check(isDeepStrictEqual(exportAfter, exportBefore), "custom templates survive the restart", show(exportAfter));
  const { sc: active } = await call("wasm_gallery_config", {}, "config after restart");
  check(active.activeId === "tester" && isDeepStrictEqual(active.config, { maxTurns: 7 }), "the active template and overrides survive",
    show(active));
  await callError("wasm_agent_state", { agentId: composed }, /no agent/, "a terminated agent stays gone after restart");
  // The restored agent still works: run Ruby again and journal it.
  await mutate(main, "tool", "wasm_agent_run", { agentId: main, program: "ruby", args: ["/script.rb"] }, "ruby after restart");
  check((await readText(main, "/out.txt", "read after the second run")) === expectedOut("alpha\nBETA-2\ngamma\n"),
    "the script sees the edited /in.txt after restart");
} catch (e) {
  clearTimeout(watchdog);
  await fail(e instanceof CheckFailed ? e.message : `unexpected error: ${e?.stack ?? e}`);
}
clearTimeout(watchdog);
await cleanup();
console.log(`${tag}: ${passed} checks passed (${succeeded.size} tools called, ${failedOn.size} with failing calls)`);

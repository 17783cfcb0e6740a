// Raw HTTP checks against the real `wasmgate serve --http` binary, for the
// transport rules the official conformance suite does not exercise
// (spec 2025-11-25 basic/transports "Streamable HTTP"; docs/mcp.md
// "Transports"):
//
//   node http_raw.mjs WASMGATE
//
// Uses node:http / node:net directly (no fetch: it adds headers of its
// own, e.g. Accept), so every header sent is the one written here.
// Exits 1 naming the first failed check. No sleeps: waits are on the
// server's "listening on URL" stderr line and on replies; one watchdog
// timer fails the run if it hangs.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";

const [wasmgate] = process.argv.slice(2);
if (!wasmgate) {
  console.error("usage: http_raw.mjs WASMGATE");
  process.exit(2);
}

const kMaxBody = 4 * 1024 * 1024; // HttpOptions::max_body_bytes (docs/mcp.md)
const kVersion = "2025-11-25";
const kWatchdogMs = 60_000;

const stateDir = mkdtempSync(path.join(tmpdir(), "wasmgate-http-raw-"));
let serverLog = "";
let child = null;
let passed = 0;

class CheckFailed extends Error {}

function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? "" : `: ${detail}`}`);
  passed++;
}

function cleanup() {
  if (child && child.exitCode === null) child.kill("SIGTERM");
  rmSync(stateDir, { recursive: true, force: true });
}

function fail(message) {
  console.error(`http_raw: FAILED: ${message}`);
  if (serverLog) console.error(`--- server stderr\n${serverLog}`);
  cleanup();
  process.exit(1);
}

const watchdog = setTimeout(() => fail(`no result after ${kWatchdogMs} ms (hang)`), kWatchdogMs);

function startServer() {
  return new Promise((resolve, reject) => {
    child = spawn(
      wasmgate,
      ["serve", "--http", "127.0.0.1:0", "--conformance-fixture", "--state", path.join(stateDir, "state")],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let found = false;
    readline.createInterface({ input: child.stderr }).on("line", (line) => {
      serverLog += `${line}\n`;
      const m = /^wasmgate: listening on (\S+)/.exec(line);
      if (m && !found) {
        found = true;
        resolve(new URL(m[1]));
      }
    });
    child.on("error", (e) => reject(new Error(`cannot start ${wasmgate}: ${e.message}`)));
    child.on("exit", (code, signal) => {
      if (!found) reject(new Error(`wasmgate exited (code ${code}, signal ${signal}) before listening`));
    });
  });
}

let url;

// One HTTP request with exactly `headers` (node adds Host, Content-Length
// and Connection only). Resolves {status, headers, body}.
function send(method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers, agent: false },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const kJsonHeaders = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

function post(body, extra = {}) {
  return send("POST", { ...kJsonHeaders, ...extra }, typeof body === "string" ? body : JSON.stringify(body));
}

function sessionHeaders(sid) {
  return { "Mcp-Session-Id": sid, "MCP-Protocol-Version": kVersion };
}

function parseJson(res, what) {
  try {
    return JSON.parse(res.body);
  } catch {
    throw new CheckFailed(`${what}: body is not JSON: ${res.status} ${res.body}`);
  }
}

function show(res) {
  return `${res.status} ${res.body}`;
}

async function openSession() {
  const res = await post({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: kVersion, capabilities: {}, clientInfo: { name: "http_raw", version: "1" } },
  });
  check(res.status === 200, "initialize answers 200", show(res));
  const sid = res.headers["mcp-session-id"];
  check(typeof sid === "string" && /^[0-9a-f]{32}$/.test(sid), "initialize issues a 128-bit hex Mcp-Session-Id", sid);
  check(parseJson(res, "initialize").result?.protocolVersion === kVersion, "initialize negotiates", show(res));
  return sid;
}

function ping(sid, id, extra = {}) {
  return post({ jsonrpc: "2.0", id, method: "ping" }, { ...sessionHeaders(sid), ...extra });
}

async function expectPingOk(sid, what, extra = {}) {
  const res = await ping(sid, 2, extra);
  check(res.status === 200, `${what}: 200`, show(res));
  check(res.headers["content-type"]?.startsWith("application/json"), `${what}: JSON answer`, res.headers["content-type"]);
  const body = parseJson(res, what);
  check(body.id === 2 && body.result !== undefined, `${what}: ping result`, show(res));
}

async function checkNotification(sid) {
  const res = await post({ jsonrpc: "2.0", method: "notifications/initialized" }, sessionHeaders(sid));
  check(res.status === 202, "a POSTed notification gets 202", show(res));
  check(res.body === "", "202 has no body", JSON.stringify(res.body));
}

async function checkOrigin(sid) {
  const foreign = await ping(sid, 3, { Origin: "https://evil.example" });
  check(foreign.status === 403, "a foreign Origin gets 403", show(foreign));
  check(parseJson(foreign, "403").error?.message?.includes("origin"), "403 names the origin", show(foreign));
  await expectPingOk(sid, "a loopback Origin is served", { Origin: "http://localhost:5173" });
  // DNS rebinding: a foreign Host on a loopback-bound server.
  const host = await ping(sid, 4, { Host: "evil.example" });
  check(host.status === 403, "a foreign Host gets 403", show(host));
}

async function checkProtocolVersionHeader(sid) {
  const bad = await ping(sid, 5, { "MCP-Protocol-Version": "1999-01-01" });
  check(bad.status === 400, "an unsupported MCP-Protocol-Version gets 400", show(bad));
  check(parseJson(bad, "400").error?.message?.includes("1999-01-01"), "400 names the version", show(bad));
  await expectPingOk(sid, "a supported older MCP-Protocol-Version is served", { "MCP-Protocol-Version": "2025-06-18" });
}

async function checkUnknownAndDeletedSession() {
  const unknown = await ping("0123456789abcdef0123456789abcdef", 6);
  check(unknown.status === 404, "an unknown session id gets 404", show(unknown));
  check(parseJson(unknown, "404").error?.code === -32001, "404 carries code -32001", show(unknown));

  const sid = await openSession();
  await expectPingOk(sid, "a fresh session is served");
  const del = await send("DELETE", sessionHeaders(sid));
  check(del.status === 200, "DELETE ends the session", show(del));
  const after = await ping(sid, 7);
  check(after.status === 404, "a DELETEd session id gets 404", show(after));
  const again = await send("DELETE", sessionHeaders(sid));
  check(again.status === 404, "a second DELETE gets 404", show(again));
  const missing = await post({ jsonrpc: "2.0", id: 8, method: "ping" });
  check(missing.status === 400, "a non-initialize POST without Mcp-Session-Id gets 400", show(missing));
}

async function checkDuplicateKeys(sid) {
  // Security stance: duplicate member names in an envelope are refused
  // (docs/mcp.md "Strict envelope").
  const res = await post('{"jsonrpc":"2.0","id":9,"method":"ping","method":"tools/list"}', sessionHeaders(sid));
  const body = parseJson(res, "duplicate key");
  check(body.error?.code === -32600, "a duplicate-key envelope is answered -32600", show(res));
  check(body.id === 9 || body.id === null, "the -32600 answer echoes the id or null", show(res));
  check(body.result === undefined, "a duplicate-key envelope is not executed", show(res));
  // Without a session (as an initialize): 400 with the JSON-RPC error.
  const init = await post(
    '{"jsonrpc":"2.0","id":1,"method":"initialize","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}',
  );
  check(init.status === 400, "a duplicate-key initialize gets 400", show(init));
  check(parseJson(init, "duplicate initialize").error?.code === -32600, "... with -32600", show(init));
  check(init.headers["mcp-session-id"] === undefined, "... and no session", JSON.stringify(init.headers));
}

// Sends only the head of a POST whose Content-Length is over the limit and
// reads the answer: the limit applies before any body byte is read.
function oversizedHead(sid, length) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks = [];
    socket.on("connect", () => {
      socket.write(
        `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
          `Accept: application/json, text/event-stream\r\nMcp-Session-Id: ${sid}\r\n` +
          `MCP-Protocol-Version: ${kVersion}\r\nContent-Length: ${length}\r\n\r\n`,
      );
    });
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString());
    });
    socket.on("error", reject);
  });
}

async function checkOversizedBody(sid) {
  const head = await oversizedHead(sid, kMaxBody + 1);
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
  check(status === "413", "a body over 4 MiB gets 413", head.slice(0, 200));
  check(/\r\nconnection: close\r\n/i.test(head), "413 closes the connection", head.slice(0, 300));
  // The limit is on the body, not the JSON: a padded request just under it is served.
  const envelope = JSON.stringify({ jsonrpc: "2.0", id: 10, method: "ping" });
  const padded = envelope.slice(0, -1) + " ".repeat(kMaxBody - envelope.length - 1) + "}";
  const res = await post(padded, sessionHeaders(sid));
  check(res.status === 200, "a body of exactly 4 MiB is served", `${res.status} ${res.body.slice(0, 200)}`);
}

async function checkAccept(sid) {
  // Spec: the client MUST list application/json and text/event-stream; the
  // spec does not say what a server does without Accept. wasmgate serves a
  // POST without Accept (plain JSON answer) and refuses one whose Accept
  // excludes both types (406), per docs/mcp.md.
  const none = await send(
    "POST",
    { "Content-Type": "application/json", ...sessionHeaders(sid) },
    JSON.stringify({ jsonrpc: "2.0", id: 11, method: "ping" }),
  );
  check(none.status === 200, "a POST without Accept is served", show(none));
  check(parseJson(none, "no Accept").id === 11, "... with the answer as JSON", show(none));
  const html = await ping(sid, 12, { Accept: "text/html" });
  check(html.status === 406, "a POST whose Accept excludes JSON and SSE gets 406", show(html));
  const onlyJson = await ping(sid, 13, { Accept: "application/json" });
  check(onlyJson.status === 200, "Accept: application/json alone is served", show(onlyJson));
  const get = await send("GET", { ...sessionHeaders(sid), Accept: "application/json" });
  check(get.status === 405, "a GET without Accept: text/event-stream gets 405", show(get));
  const type = await send(
    "POST",
    { "Content-Type": "text/plain", Accept: kJsonHeaders.Accept, ...sessionHeaders(sid) },
    JSON.stringify({ jsonrpc: "2.0", id: 14, method: "ping" }),
  );
  check(type.status === 415, "a POST that is not application/json gets 415", show(type));
}

try {
  url = await startServer();
  const sid = await openSession();
  await checkNotification(sid);
  await expectPingOk(sid, "a ping in the session is served");
  await checkOrigin(sid);
  await checkProtocolVersionHeader(sid);
  await checkDuplicateKeys(sid);
  await checkAccept(sid);
  await checkOversizedBody(sid);
  await checkUnknownAndDeletedSession();
  // The first session is untouched by all of the above.
  await expectPingOk(sid, "the first session still works");
} catch (e) {
  clearTimeout(watchdog);
  fail(e instanceof CheckFailed ? e.message : `unexpected error: ${e?.stack ?? e}`);
}
clearTimeout(watchdog);
cleanup();
console.log(`http_raw: ${passed} checks passed`);

// A Streamable HTTP front for a stdio MCP server, used to run HTTP-only test
// tools (the MCP conformance suite) against `wasmgate serve --stdio`.
//
//   node stdio_bridge.mjs [--port N] -- COMMAND [ARGS...]
//
// Each initialize POST (no Mcp-Session-Id) spawns a fresh child: one stdio
// process is one MCP session. A POST that carries requests is answered as
// text/event-stream: every message the child writes goes to the stream of
// the request it answers (responses by id) or, for server-initiated
// messages (progress, logs, elicitation/sampling requests), to the most
// recent open POST stream, else the session's GET stream. Client
// responses and notifications are written to the child and answered 202.
// DELETE ends the child. Prints "stdio_bridge: listening on URL" on stderr.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import readline from "node:readline";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
if (sep < 0 || sep === argv.length - 1) {
  console.error("usage: stdio_bridge.mjs [--port N] -- COMMAND [ARGS...]");
  process.exit(2);
}
const opts = argv.slice(0, sep);
const command = argv.slice(sep + 1);
let port = 0;
for (let i = 0; i < opts.length; i++) {
  if (opts[i] === "--port") port = Number(opts[++i]);
}

const sessions = new Map(); // id -> {child, pending: Map(idKey -> res), streams: [res], get: res|null}

function idKey(id) {
  return JSON.stringify(id);
}

function openSession() {
  const child = spawn(command[0], command.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  const s = { id: randomUUID().replaceAll("-", ""), child, pending: new Map(), streams: [], get: null };
  const lines = readline.createInterface({ input: child.stdout });
  lines.on("line", (line) => route(s, line));
  child.on("exit", () => {
    for (const res of s.streams) res.end();
    if (s.get) s.get.end();
    sessions.delete(s.id);
  });
  sessions.set(s.id, s);
  return s;
}

function sse(res, line) {
  res.write(`event: message\ndata: ${line}\n\n`);
}

function route(s, line) {
  let msgs;
  try {
    msgs = JSON.parse(line);
  } catch {
    console.error(`stdio_bridge: child wrote non-JSON: ${line.slice(0, 200)}`);
    return;
  }
  const first = Array.isArray(msgs) ? msgs[0] : msgs;
  if (first && first.method === undefined && first.id !== undefined) {
    // A response (or batch of responses): to the stream of its request.
    const res = s.pending.get(idKey(first.id));
    const ids = Array.isArray(msgs) ? msgs.map((m) => idKey(m.id)) : [idKey(first.id)];
    for (const k of ids) s.pending.delete(k);
    if (!res) return;
    sse(res, line);
    res.pendingCount -= ids.length;
    if (res.pendingCount <= 0) {
      res.end();
      s.streams = s.streams.filter((r) => r !== res);
    }
    return;
  }
  const target = s.streams.length ? s.streams[s.streams.length - 1] : s.get;
  if (target) sse(target, line);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

// DNS-rebinding defence, as wasmgate's own HTTP transport does it: only
// loopback Host and Origin values are served.
const loopback = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;
function loopbackOrigin(origin) {
  try {
    return loopback.test(new URL(origin).host);
  } catch {
    return false;
  }
}

const server = http.createServer(async (req, res) => {
  if (!loopback.test(req.headers.host ?? "") || (req.headers.origin && !loopbackOrigin(req.headers.origin))) {
    return res.writeHead(403).end();
  }
  const sid = req.headers["mcp-session-id"];
  if (req.method === "DELETE") {
    const s = sessions.get(sid);
    if (!s) return res.writeHead(404).end();
    s.child.stdin.end();
    return res.writeHead(200).end();
  }
  if (req.method === "GET") {
    const s = sessions.get(sid);
    if (!s) return res.writeHead(sid ? 404 : 400).end();
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    s.get = res;
    res.on("close", () => {
      if (s.get === res) s.get = null;
    });
    return;
  }
  if (req.method !== "POST") return res.writeHead(405).end();
  const body = await readBody(req);
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = null;
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const isInit = list.some((m) => m && m.method === "initialize");
  let s;
  if (isInit && !sid) {
    s = openSession();
  } else {
    s = sessions.get(sid);
    if (!s) return res.writeHead(sid ? 404 : 400).end();
  }
  const requests = list.filter((m) => m && m.method !== undefined && m.id !== undefined);
  if (parsed === null || requests.length === 0 && list.every((m) => m && typeof m === "object")) {
    if (parsed !== null) {
      s.child.stdin.write(body.replaceAll("\n", " ") + "\n");
      return res.writeHead(202).end();
    }
  }
  const headers = { "content-type": "text/event-stream", "cache-control": "no-cache" };
  if (isInit) headers["mcp-session-id"] = s.id;
  res.writeHead(200, headers);
  res.flushHeaders();
  // Malformed input: the child answers with an id it may not know; count one.
  res.pendingCount = Math.max(requests.length, 1);
  if (requests.length === 0) s.pending.set(idKey(null), res);
  for (const m of requests) s.pending.set(idKey(m.id), res);
  s.streams.push(res);
  res.on("close", () => {
    s.streams = s.streams.filter((r) => r !== res);
  });
  s.child.stdin.write(body.replaceAll("\n", " ") + "\n");
});

server.listen(port, "127.0.0.1", () => {
  console.error(`stdio_bridge: listening on http://127.0.0.1:${server.address().port}/mcp`);
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    for (const s of sessions.values()) s.child.kill("SIGTERM");
    server.close();
    process.exit(0);
  });
}

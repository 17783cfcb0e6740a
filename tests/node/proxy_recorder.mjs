// A recording shim between `wasmgate proxy` and a real upstream over stdio:
//
//   node proxy_recorder.mjs LOG COMMAND [ARGS...]
//
// Starts COMMAND, passes this process's stdin to it and its stdout back,
// and appends every byte the upstream receives to LOG, so that a test can
// prove what did (and did not) reach the upstream.
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";

const [log, command, ...args] = process.argv.slice(2);
if (!log || !command) {
  console.error("usage: proxy_recorder.mjs LOG COMMAND [ARGS...]");
  process.exit(2);
}
const child = spawn(command, args, { stdio: ["pipe", "inherit", "inherit"] });
process.stdin.on("data", (chunk) => {
  appendFileSync(log, chunk);
  child.stdin.write(chunk);
});
process.stdin.on("end", () => child.stdin.end());
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
process.on("SIGTERM", () => child.kill("SIGTERM"));

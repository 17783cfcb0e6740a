// Starts a wasmgate command that serves HTTP on port 0 (`serve --http
// 127.0.0.1:0`, `proxy --http 127.0.0.1:0 ...`) and resolves with
// { child, url } once its stderr announces "listening on URL". Every stderr
// line goes to onLine (tests keep them for their failure report); a process
// that ends before listening rejects with its exit code or signal.
import { spawn } from "node:child_process";
import readline from "node:readline";

export function startListening(command, args, { onLine = () => {}, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], env });
    let found = false;
    readline.createInterface({ input: child.stderr }).on("line", (line) => {
      onLine(line);
      const m = /listening on (\S+)/.exec(line);
      if (m && !found) {
        found = true;
        resolve({ child, url: m[1] });
      }
    });
    child.on("error", (e) => reject(new Error(`cannot start ${command}: ${e.message}`)));
    child.on("exit", (code, signal) => {
      if (!found) reject(new Error(`wasmgate ${args[0]} exited (code ${code}, signal ${signal}) before listening`));
    });
  });
}

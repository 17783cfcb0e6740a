// Preloaded (node --expose-gc --require gc_hook.cjs) into Claude Flow's MCP
// server by agent_bench.mjs for its memory phase only: on SIGUSR2 the
// server runs two full garbage collections and writes one line
// "agent_bench-gc {process.memoryUsage()}" to stderr, so that RSS can be read
// with garbage collected (a V8 heap otherwise grows with garbage until the
// next major GC). Nothing else in the server changes.
"use strict";
process.on("SIGUSR2", () => {
  global.gc();
  global.gc();
  process.stderr.write(`agent_bench-gc ${JSON.stringify(process.memoryUsage())}\n`);
});

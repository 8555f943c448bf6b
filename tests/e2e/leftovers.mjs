// Lists (and with --kill, ends) the live processes of an end-to-end run: those whose environment carries
// E2E_RUN_ID=<id>. scripts/e2e.sh runs it after the virtual desktop has closed, from outside the run.
//   node tests/e2e/leftovers.mjs <id> [--kill]     prints "pid command line" per process
import { processesOfThisRun, sleep } from "./harness.mjs";

const [id, flag] = process.argv.slice(2);
if (!id) {
  console.error("usage: node tests/e2e/leftovers.mjs <E2E_RUN_ID> [--kill]");
  process.exit(2);
}
const left = () => processesOfThisRun(/./, id);
const found = left();
for (const line of found) console.log(line);
if (flag === "--kill" && found.length > 0) {
  const signal = (name) => {
    for (const line of left()) {
      try {
        process.kill(Number(line.split(" ")[0]), name);
      } catch {
        // gone meanwhile
      }
    }
  };
  signal("SIGTERM");
  await sleep(1000);
  signal("SIGKILL");
}

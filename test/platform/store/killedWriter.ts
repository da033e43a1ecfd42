// Child process for sqlite.test.ts: commits one row through openStore, says so, then waits to be killed with SIGKILL.
import { createLogger } from "../../../platform/log.js";
import { openStore } from "../../../platform/store/index.js";

const path = process.argv[2];
if (!path) throw new Error("usage: killedWriter.ts <db path>");
const store = openStore(path, createLogger({ level: "silent" }));
store.db.prepare("INSERT INTO pending_rightsizing VALUES ('team-a', 'acknowledged', 'PyTorchJob', NULL, '{}', 1)").run();
process.stdout.write("committed\n");
setInterval(() => undefined, 1_000);

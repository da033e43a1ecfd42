// Child process for crashRestore.test.ts: throttles two pods (one per kubelet layout) through the real
// store and throttler, says so, then waits to be killed with SIGKILL. Nothing is restored here.
import { ManualClock } from "../../../platform/clock.js";
import { createLogger } from "../../../platform/log.js";
import { openStore } from "../../../platform/store/index.js";
import { CgroupThrottler, ThrottleRecords } from "../../../nodeagent/cgroups/index.js";

const [root, dbPath, uidA, uidB] = process.argv.slice(2);
if (!root || !dbPath || !uidA || !uidB) throw new Error("usage: throttlingWriter.ts <cgroup root> <db path> <uid systemd> <uid cgroupfs>");
const log = createLogger({ level: "silent" });
const store = openStore(dbPath, log);
const throttler = new CgroupThrottler({ root, driver: "auto", dryRun: false, records: new ThrottleRecords(store.db), log, clock: new ManualClock(1) });
throttler.apply({ uid: uidA, qosClass: "Burstable" }, { io: { devices: ["8:16", "259:0"], bytesPerSec: 52428800 }, cpu: { quotaUs: 50000, periodUs: 100000 } });
throttler.apply({ uid: uidB, qosClass: "BestEffort" }, { io: { devices: ["8:0"], bytesPerSec: 1048576 }, cpu: { quotaUs: 25000, periodUs: 100000 } });
process.stdout.write("throttled\n");
setInterval(() => undefined, 1_000);

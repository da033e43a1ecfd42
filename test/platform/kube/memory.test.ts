import { ManualClock } from "../../../platform/clock.js";
import { memoryAdapters } from "../../../platform/kube/memory.js";
import { createLogger } from "../../../platform/log.js";
import { kubePortsContract, START_MS } from "./contract.js";

kubePortsContract("in-memory adapters", async () => {
  const clock = new ManualClock(START_MS);
  const eventErrors: unknown[] = [];
  const ports = memoryAdapters(createLogger({ level: "silent" }), clock, { podName: "steward-0" }, { events: { onError: (err) => eventErrors.push(err) } });
  return { ports, store: ports.store, clock, eventErrors, close: async () => undefined };
});

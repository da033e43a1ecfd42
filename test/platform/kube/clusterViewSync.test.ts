import { ManualClock } from "../../../platform/clock.js";
import { MemoryObjectStore } from "../../../platform/kube/memoryStore.js";
import { memoryClusterWatches } from "../../../platform/kube/memoryWatch.js";
import { START_MS } from "./contract.js";
import { clusterViewSyncContract } from "./syncContract.js";

clusterViewSyncContract("in-memory watches", async () => {
  const store = new MemoryObjectStore(new ManualClock(START_MS));
  return {
    watches: memoryClusterWatches(store),
    store,
    watching: (gvr) => store.watcherCount(gvr),
    dropWatches: (gvr) => store.endWatches(gvr),
    close: async () => undefined,
  };
});

/** Waiting that never keeps the process up: shared by leader election, the reflector and the node agent (which must not load leader.ts's client-node). */

export type Wait = (ms: number, signal: AbortSignal) => Promise<void>;

/** A timer that neither keeps the process alive (unref) nor outlives an abort. */
export const unrefWait: Wait = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });

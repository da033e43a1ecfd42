import { type ExecFileException, execFile } from "node:child_process";
import { CommandError, type CommandFailure, type CommandResult, type CommandRunner } from "./commandRunner.js";

/**
 * Big enough for the largest output the agent reads: `nvidia-smi -q -x` is ~22 KB per GPU in the
 * telegraf fixture (half of it the supported-clocks list, which is longer on H100), so a 16-GPU node
 * stays under 1 MiB; 8 MiB leaves room for chattier drivers while bounding memory if a command runs away.
 */
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/**
 * Runs commands with `execFile`: no shell, so arguments are never re-parsed; output as UTF-8. A timeout
 * sends SIGKILL rather than SIGTERM: the point is to stop waiting for a process stuck in the driver,
 * and nvidia-smi has nothing to clean up.
 */
export class ExecFileRunner implements CommandRunner {
  constructor(private readonly maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES) {}

  run(file: string, args: readonly string[], options: { readonly timeoutMs: number }): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      execFile(
        file,
        [...args],
        { encoding: "utf8", timeout: options.timeoutMs, killSignal: "SIGKILL", maxBuffer: this.maxOutputBytes, windowsHide: true },
        (err, stdout, stderr) => {
          if (!err) return resolve({ stdout, stderr, exitCode: 0 });
          if (typeof err.code === "number") return resolve({ stdout, stderr, exitCode: err.code });
          const [failure, detail] = classify(err, options.timeoutMs);
          reject(new CommandError(failure, file, args, detail, { cause: err }));
        },
      );
    });
  }
}

function classify(err: ExecFileException, timeoutMs: number): [CommandFailure, string] {
  switch (err.code) {
    case "ENOENT":
      return ["not-found", "no such file (ENOENT)"];
    case "EACCES":
    case "ENOEXEC":
      return ["not-executable", `cannot be executed (${err.code})`];
    case "ERR_CHILD_PROCESS_STDIO_MAXBUFFER":
      return ["output-too-large", "output exceeded the buffer limit"];
  }
  // Node sets `killed` only when it sent the signal itself; with maxBuffer handled above, that is the timeout.
  if (err.killed) return ["timeout", `no answer within ${timeoutMs} ms`];
  if (err.signal) return ["killed", `ended by ${err.signal}`];
  return ["spawn-failed", err.message];
}

/**
 * How the agent runs host commands (nvidia-smi): a port, so tests and `--nvidia-smi PATH` can point it
 * elsewhere. A command that ran is a result whatever its exit code (`nvidia-smi mig -lgi` exits non-zero
 * with "No MIG-enabled devices found."), so the caller reads the text; only a command that could not run
 * or finish is a CommandError.
 */
export interface CommandRunner {
  run(file: string, args: readonly string[], options: { readonly timeoutMs: number }): Promise<CommandResult>;
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * - `not-found`: no such binary (ENOENT): nvidia-smi is not installed or not mounted into the pod;
 * - `not-executable`: present but not runnable (EACCES, wrong architecture);
 * - `timeout`: killed after `timeoutMs` (a wedged driver makes nvidia-smi hang);
 * - `output-too-large`: stdout or stderr passed the runner's buffer limit;
 * - `killed`: ended by a signal the runner did not send;
 * - `spawn-failed`: anything else that kept it from starting.
 */
export type CommandFailure = "not-found" | "not-executable" | "timeout" | "output-too-large" | "killed" | "spawn-failed";

export class CommandError extends Error {
  readonly code = "COMMAND_FAILED" as const;
  constructor(
    readonly failure: CommandFailure,
    readonly file: string,
    readonly args: readonly string[],
    /** What went wrong, without the command line (`no such file (ENOENT)`). */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${[file, ...args].join(" ")}: ${detail}`, options);
    this.name = "CommandError";
  }
}

export function isCommandError(err: unknown, failure?: CommandFailure): err is CommandError {
  return err instanceof CommandError && (failure === undefined || err.failure === failure);
}

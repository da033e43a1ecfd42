import { spawn, type ChildProcess } from "node:child_process";

/**
 * Starts a benchmark server in a child process (`node --import tsx SCRIPT ...args`) and resolves with
 * the port it prints as `PORT <n>`; separate processes so client and server do not share a heap or a loop.
 */
export async function startChildServer(script: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${script} ${args.join(" ")} exited with ${code}`)));
  });
  return { child, port };
}

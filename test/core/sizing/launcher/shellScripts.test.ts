import { describe, expect, it } from "vitest";
import { readLaunch, rewriteLaunch } from "../../../../core/sizing/launcher/index.js";
import { findShellScript, parseScript } from "../../../../core/sizing/launcher/shellScript.js";
import { literalText } from "../../../../core/sizing/launcher/words.js";
import { example } from "./examples.js";

describe("finding the script in argv", () => {
  it.each<[string, string[], ReturnType<typeof findShellScript>]>([
    ["sh -c", ["sh", "-c", "x"], { kind: "inline", shell: "sh", scriptIndex: 2 }],
    ["/bin/bash -lc", ["/bin/bash", "-lc", "x"], { kind: "inline", shell: "bash", scriptIndex: 2 }],
    ["dash -xc", ["dash", "-xc", "x"], { kind: "inline", shell: "dash", scriptIndex: 2 }],
    ["bash -e -o pipefail -c", ["bash", "-e", "-o", "pipefail", "-c", "x"], { kind: "inline", shell: "bash", scriptIndex: 5 }],
    ["bash --login -c", ["bash", "--login", "-c", "x", "arg0"], { kind: "inline", shell: "bash", scriptIndex: 3 }],
    ["env VAR=1 sh -c", ["/usr/bin/env", "A=1", "sh", "-c", "x"], { kind: "inline", shell: "sh", scriptIndex: 4 }],
    ["a script file", ["bash", "/run.sh"], { kind: "file", shell: "bash", path: "/run.sh" }],
    ["sh -c with no script", ["sh", "-c"], { kind: "missing", shell: "sh" }],
    ["not a shell", ["python", "-c", "x"], undefined],
  ])("recognises %s", (_name, argv, expected) => {
    expect(findShellScript(argv)).toEqual(expected);
  });
});

describe("simple commands inside scripts", () => {
  const heads = (script: string) => {
    const parsed = parseScript(script);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.calls.map((c) => c.words.map((w) => literalText(w) ?? w.source).join(" "));
  };

  it.each<[string, string, string[]]>([
    ["&&, ; and newlines", "set -e; cd /x && echo a\necho b", ["set -e", "cd /x", "echo a", "echo b"]],
    ["a pipeline in a subshell", "(torchrun x | tee log)", ["torchrun x", "tee log"]],
    ["if and case bodies", "if true; then a; else b; fi\ncase $X in y) c;; esac", ["true", "a", "b", "c"]],
    ["a function body, time and a prefix assignment", "f() { NCCL_DEBUG=INFO time exec torchrun x; }\nf", ["time exec torchrun x", "f"]],
    ["a heredoc before the launcher", "cat > /tmp/c.yaml <<EOF\nnum_processes: 2\nEOF\naccelerate launch x", ["cat", "accelerate launch x"]],
    ["quoting and escapes", `echo 'a b' "c\\"d" e\\ f $'g'`, ['echo a b c"d e f g']],
  ])("finds every command in %s", (_name, script, expected) => {
    expect(heads(script)).toEqual(expected);
  });

  it("sees through exec/time/nohup/env prefixes to the launcher", () => {
    const r = readLaunch({ command: ["sh", "-c", "f() { NCCL_DEBUG=INFO time exec nohup env A=1 torchrun --nproc_per_node 2 --nnodes 1 -m tuning.sft_trainer; }\nf"] });
    expect(r.ok && r.reading.settings).toEqual({ nprocPerNode: 2, numMachines: 1, numProcesses: 2 });
  });

  it("keeps script assignments that precede each call, and only those", () => {
    const parsed = parseScript("A=1\necho $A\nexport B=2 A=3\necho $B");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect([...parsed.calls[0]!.locals.keys()]).toEqual(["A"]);
    expect(parsed.calls[1]!.locals.get("A")).toEqual([{ kind: "lit", text: "3" }]);
    expect(parsed.calls[1]!.locals.get("B")).toEqual([{ kind: "lit", text: "2" }]);
  });
});

describe("the parse cache", () => {
  it("returns the same frozen result for the same script text", () => {
    const script = "accelerate launch -m tuning.sft_trainer --r 1 # cache identity";
    const first = parseScript(script);
    expect(parseScript(script)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("is bounded: old scripts are evicted after 256 others", () => {
    const script = "echo evict-me";
    const first = parseScript(script);
    for (let i = 0; i < 256; i++) parseScript(`echo filler ${i}`);
    expect(parseScript(script)).not.toBe(first);
    expect(parseScript(script)).toEqual(first);
  });

  it("keeps a repeated read + rewrite of the AppWrapper example well inside the webhook budget", () => {
    const { container } = example("fms-autoconf-k8s-controller_appwrapper_lora.yaml");
    const target = { workers: 2, gpusPerWorker: 8, perDeviceBatch: 4 };
    const once = () => {
      const r = readLaunch(container);
      if (r.ok) rewriteLaunch(container, r.reading, target);
    };
    for (let i = 0; i < 300; i++) once();
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      once();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    // Typically ~20 µs; the bound is loose so a busy CI machine does not flake.
    expect(times[150]!).toBeLessThan(1);
  });
});

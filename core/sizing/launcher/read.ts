/**
 * Reads how a container launches fms-hf-tuning: a launcher call on the command line (directly or
 * inside `sh -c`), else the image's JSON config. Never throws: anything unsupported comes back as
 * `{ok: false, reason}` worded for the operator who reads the admission warning.
 */
import { readLocated } from "./cliSettings.js";
import { CONFIG_ENV_VAR, CONFIG_PATH_VAR, readConfigJson } from "./configJson.js";
import { argvOf, locateLaunch } from "./locate.js";
import type { ContainerSpec, LaunchReadResult } from "./types.js";

const LOOKED_FOR = "looked for accelerate launch, torchrun, python -m tuning.sft_trainer, SFT_TRAINER_CONFIG_JSON_*";

export function readLaunch(container: ContainerSpec, files?: ReadonlyMap<string, string>): LaunchReadResult {
  try {
    const found = locateLaunch(container);
    if (found.ok) return { ok: true, reading: readLocated(found.located) };
    if (found.fatal) return { ok: false, reason: found.reason };
    // No launcher on the command line: the image's own launcher may read a JSON config.
    const json = readConfigJson(container, files);
    if (json !== undefined) return json;
    if (argvOf(container).length === 0) {
      return { ok: false, reason: `no command/args and no ${CONFIG_ENV_VAR} / ${CONFIG_PATH_VAR} env: cannot tell how fms-hf-tuning is launched (${LOOKED_FOR})` };
    }
    const seen = found.seen !== undefined ? `; the container runs ${found.seen}` : "";
    return { ok: false, reason: `no fms-hf-tuning launcher found in command/args (${LOOKED_FOR})${seen}` };
  } catch (e) {
    return { ok: false, reason: `cannot read the launch command: ${String(e)}` };
  }
}

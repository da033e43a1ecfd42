/**
 * The serving flags, apart from cmd/serve.ts so that `steward --help` and the other subcommands do
 * not load the servers (express, the Kubernetes client) just to parse their own flags.
 */
import { commonOptions } from "../platform/config/common.js";
import type { OptionSpec } from "../platform/config/options.js";
import { extenderOptions } from "../extender/config.js";
import { webhookOptions } from "../webhook/config.js";

/** Every serving flag (the controller's); the README documents all of them. */
export const serveOptions: readonly OptionSpec[] = [...commonOptions, ...webhookOptions, ...extenderOptions];
export const webhookRoleOptions: readonly OptionSpec[] = [...commonOptions, ...webhookOptions];
export const extenderRoleOptions: readonly OptionSpec[] = [...commonOptions.filter((o) => o.flag !== "webhook-port"), ...extenderOptions];

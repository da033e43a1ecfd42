#!/usr/bin/env node
// Entry point for `npx steward` and `npm start`. In a checkout the TypeScript sources run through
// tsx's loader, so `npm ci` alone is enough; the container image runs the compiled dist/main.js.
import { register } from "tsx/esm/api";

register();
await import("../main.ts");

/** Benchmarks lay out their inputs with the same seeded generator the load emulator uses (mulberry32). */
export { seededUniform as seededRandom } from "../core/inference/seededUniform.js";

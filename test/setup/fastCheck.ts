import fc from "fast-check";

/**
 * Property tests run with a fixed seed so CI is reproducible: a property that fails, fails on every
 * run, and the failure prints the seed and path to replay it. FC_SEED overrides it, to explore new
 * inputs locally (`FC_SEED=$RANDOM npm test`).
 */
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261123) });

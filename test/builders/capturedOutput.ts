import { Writable } from "node:stream";

/** A stdout stand-in for CLI runners: collects what they write, `text()` returns it. */
export function captured(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join("") });
}

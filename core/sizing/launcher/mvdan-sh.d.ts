/**
 * Minimal ambient types for `mvdan-sh` (GopherJS build of mvdan.cc/sh, which ships no types):
 * only what the launcher reader uses. The syntax tree is read through the Go structs underneath
 * the returned File (see shellAst.ts), so node types are deliberately not declared here.
 */
declare module "mvdan-sh" {
  namespace sh {
    /** The GopherJS wrapper of a parsed `*syntax.File`. */
    interface File {
      readonly __internal_object__?: unknown;
    }
    interface Parser {
      /** Throws a Go error object (see ParseError) when the source does not parse. */
      Parse(src: string, name: string): File;
    }
    /** What Parse throws: a wrapped Go `syntax.ParseError`; Error() reads "line:col: message". */
    interface ParseError {
      Error(): string;
    }
    interface Syntax {
      NewParser(): Parser;
    }
  }
  const sh: { syntax: sh.Syntax };
  export default sh;
}

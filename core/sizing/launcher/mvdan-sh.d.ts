/**
 * Minimal ambient types for `mvdan-sh` (GopherJS build of mvdan.cc/sh, which ships no types).
 * Only the parts the launcher reader touches are declared. Nodes are GopherJS wrappers around the
 * Go structs: fields keep their Go names, positions are methods, nil pointers come back as null.
 */
declare module "mvdan-sh" {
  namespace sh {
    interface Pos {
      /** Byte offset into the UTF-8 encoding of the source. */
      Offset(): number;
      Line(): number;
      Col(): number;
    }
    interface Node {
      Pos(): Pos;
      End(): Pos;
    }
    interface Lit extends Node {
      Value: string;
    }
    interface SglQuoted extends Node {
      Value: string;
      /** `$'…'` (ANSI-C quoting). */
      Dollar: boolean;
    }
    interface DblQuoted extends Node {
      Parts: Node[];
      /** `$"…"` (locale quoting). */
      Dollar: boolean;
    }
    interface CmdSubst extends Node {
      Stmts: Stmt[];
    }
    interface Word extends Node {
      Parts: Node[];
    }
    interface Assign extends Node {
      Name: Lit | null;
      Value: Word | null;
      Naked: boolean;
      Append: boolean;
    }
    interface CallExpr extends Node {
      Assigns: Assign[];
      Args: Word[];
    }
    interface DeclClause extends Node {
      Variant: Lit;
      Args: Assign[];
    }
    interface Stmt extends Node {
      Cmd: Node | null;
    }
    interface File extends Node {
      Stmts: Stmt[];
    }
    interface Parser {
      /** Throws a Go error object (see ParseError) when the source does not parse. */
      Parse(src: string, name: string): File;
    }
    interface Printer {
      Print(node: Node): string;
    }
    /** What Parse throws: a wrapped Go `syntax.ParseError`. */
    interface ParseError {
      Error(): string;
      Text: string;
    }
    type ParserOption = { readonly __parserOption: unique symbol };
    interface Syntax {
      NewParser(...options: ParserOption[]): Parser;
      NewPrinter(): Printer;
      KeepComments(enabled: boolean): ParserOption;
      /** Depth-first, source order; return false to skip a node's children. */
      Walk(node: Node, visit: (node: Node | null) => boolean): void;
      NodeType(node: Node): string;
    }
  }
  const sh: { syntax: sh.Syntax };
  export default sh;
}

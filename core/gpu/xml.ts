import { GpuTextError } from "./errors.js";

/**
 * An element of a small, well-formed XML document (what `nvidia-smi -q -x` prints): name, attributes,
 * child elements and the character data directly inside it. Enough for that output, not a general XML
 * parser: no namespaces, and the DOCTYPE is skipped rather than read, so no entity from a DTD is ever
 * expanded (nvidia-smi's DTD declares none; refusing internal subsets rules out entity bombs).
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Character data directly inside the element (entities decoded, CDATA kept), untrimmed. */
  readonly text: string;
  /** 1-based line of the start tag, for errors about this element. */
  readonly line: number;
}

interface OpenElement {
  name: string;
  attributes: Record<string, string>;
  children: OpenElement[];
  text: string;
  line: number;
}

const NAME = "[A-Za-z_][-A-Za-z0-9_.:]*";
const START_TAG = new RegExp(`<(${NAME})`, "y");
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, "y");
const TAG_END = /\s*(\/?)>/y;
const END_TAG = new RegExp(`</(${NAME})\\s*>`, "y");
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Parses the document and returns its root element; throws GpuTextError with the line of the problem. */
export function parseXml(text: string): XmlElement {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineAt = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const fail = (pos: number, problem: string): never => {
    throw new GpuTextError(lineAt(pos), "xml", problem);
  };

  const stack: OpenElement[] = [];
  let root: OpenElement | undefined;
  let pos = 0;
  const skipTo = (from: number, close: string, what: string) => {
    const end = text.indexOf(close, from);
    if (end < 0) fail(from, `unterminated ${what}`);
    return end + close.length;
  };

  while (pos < text.length) {
    const lt = text.indexOf("<", pos);
    const chars = text.slice(pos, lt < 0 ? text.length : lt);
    if (chars !== "") {
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(chars, (problem) => fail(pos, problem));
      else if (chars.trim() !== "") fail(pos, "text outside the root element");
    }
    if (lt < 0) break;

    if (text.startsWith("<?", lt)) pos = skipTo(lt, "?>", "processing instruction");
    else if (text.startsWith("<!--", lt)) pos = skipTo(lt, "-->", "comment");
    else if (text.startsWith("<![CDATA[", lt)) {
      const end = skipTo(lt, "]]>", "CDATA section");
      const top = stack[stack.length - 1];
      if (!top) fail(lt, "CDATA outside the root element");
      else top.text += text.slice(lt + 9, end - 3);
      pos = end;
    } else if (text.startsWith("<!", lt)) {
      const end = skipTo(lt, ">", "declaration");
      if (root || text.slice(lt, end).includes("[")) fail(lt, "only a DOCTYPE without an internal subset is accepted, before the root");
      pos = end;
    } else if (text.startsWith("</", lt)) {
      END_TAG.lastIndex = lt;
      const m = END_TAG.exec(text);
      const top = stack.pop();
      if (!m || !top || m[1] !== top.name) fail(lt, top ? `expected </${top.name}> (opened on line ${top.line})` : "end tag without a start tag");
      pos = END_TAG.lastIndex;
    } else {
      START_TAG.lastIndex = lt;
      const m = START_TAG.exec(text);
      if (!m) fail(lt, "malformed tag");
      if (root && stack.length === 0) fail(lt, "a second root element");
      const el: OpenElement = { name: m?.[1] ?? "", attributes: {}, children: [], text: "", line: lineAt(lt) };
      let at = START_TAG.lastIndex;
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const a = ATTRIBUTE.exec(text);
        if (!a) break;
        const name = a[1] ?? "";
        if (Object.hasOwn(el.attributes, name)) fail(at, `attribute ${name} given twice`);
        el.attributes[name] = decodeEntities(a[2] ?? a[3] ?? "", (problem) => fail(at, problem));
        at = ATTRIBUTE.lastIndex;
      }
      TAG_END.lastIndex = at;
      const end = TAG_END.exec(text);
      if (!end) fail(at, `malformed start tag <${el.name}>`);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else root = el;
      if (end?.[1] !== "/") stack.push(el);
      pos = TAG_END.lastIndex;
    }
  }
  const open = stack[stack.length - 1];
  if (open) fail(text.length, `<${open.name}> opened on line ${open.line} is never closed`);
  if (!root) fail(0, "no root element");
  return root as XmlElement;
}

function decodeEntities(chars: string, fail: (problem: string) => never): string {
  if (!chars.includes("&")) return chars;
  return chars.replace(/&([^;&\s]*)(;?)/g, (whole, ref: string, semi: string) => {
    if (semi === ";") {
      if (Object.hasOwn(PREDEFINED, ref)) return PREDEFINED[ref] ?? "";
      const code = /^#x([0-9a-fA-F]{1,6})$/.exec(ref)?.[1] ?? /^#(\d{1,7})$/.exec(ref)?.[1];
      if (code !== undefined) {
        const cp = Number.parseInt(code, ref.startsWith("#x") ? 16 : 10);
        if (cp <= 0x10ffff) return String.fromCodePoint(cp);
      }
    }
    return fail(`"${whole}" is not an entity this reader knows`);
  });
}

/** The first child element called `name`. */
export function childElement(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Every child element called `name`, in document order. */
export function childElements(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

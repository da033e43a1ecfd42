import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { childElement, childElements, parseXml, type XmlElement } from "../../../core/gpu/index.js";

describe("parseXml", () => {
  it("reads declaration, DOCTYPE, comments, attributes, self-closing tags, entities and CDATA", () => {
    const root = parseXml(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">',
        "<!-- a comment -->",
        "<log>",
        `  <gpu id="00000000:01:00.0" note='a &amp; b'>`,
        "    <name>A &lt;B&gt; &#67;&#x44;</name>",
        "    <processes />",
        "    <raw><![CDATA[<not a tag>]]></raw>",
        "  </gpu>",
        "</log>",
      ].join("\n"),
    );
    expect(root.name).toBe("log");
    const gpu = childElement(root, "gpu");
    expect(gpu?.attributes).toEqual({ id: "00000000:01:00.0", note: "a & b" });
    expect(gpu?.line).toBe(5);
    expect(gpu && childElement(gpu, "name")?.text).toBe("A <B> CD");
    expect(gpu && childElement(gpu, "processes")).toMatchObject({ children: [], text: "" });
    expect(gpu && childElement(gpu, "raw")?.text).toBe("<not a tag>");
    expect(gpu && childElements(gpu, "name")).toHaveLength(1);
  });

  it.each([
    ["an unclosed element", "<a>\n<b></b>\n", "line 3, xml: <a> opened on line 1 is never closed"],
    ["a mismatched end tag", "<a>\n<b></a>", "line 2, xml: expected </b> (opened on line 2)"],
    ["an unknown entity", "<a>\n&nbsp;</a>", 'line 1, xml: "&nbsp;" is not an entity this reader knows'],
    ["a bare ampersand", "<a>x & y</a>", "is not an entity this reader knows"],
    ["an internal DTD subset (entity expansion)", '<!DOCTYPE a [<!ENTITY x "y">]><a/>', "only a DOCTYPE without an internal subset"],
    ["two roots", "<a/><b/>", "a second root element"],
    ["text outside the root", "<a/>junk", "text outside the root element"],
    ["an empty text", "", "no root element"],
    ["a repeated attribute", '<a x="1" x="2"/>', "attribute x given twice"],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseXml(text)).toThrow(message);
  });

  it("reads back any tree it is given, escaped the way an XML writer escapes", () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);
    const text = fc.string({ maxLength: 12 });
    const tree: fc.Arbitrary<XmlElement> = fc.letrec<{ el: XmlElement }>((tie) => ({
      el: fc.record({
        name,
        attributes: fc.dictionary(name, text, { maxKeys: 3 }),
        children: fc.oneof({ depthSize: "small" }, fc.constant([]), fc.array(tie("el"), { maxLength: 3 })),
        text: fc.constant(""),
        line: fc.constant(1),
      }),
    })).el;
    const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    const write = (el: XmlElement, body: string): string => {
      const attrs = Object.entries(el.attributes)
        .map(([k, v]) => ` ${k}="${escape(v)}"`)
        .join("");
      return `<${el.name}${attrs}>${escape(body)}${el.children.map((c) => write(c, "")).join("")}</${el.name}>`;
    };
    const strip = (el: XmlElement): unknown => ({ name: el.name, attributes: el.attributes, children: el.children.map(strip) });
    fc.assert(
      fc.property(tree, text, (el, body) => {
        const parsed = parseXml(write(el, body));
        expect(strip(parsed)).toEqual(strip(el));
        expect(parsed.text).toBe(body);
      }),
    );
  });
});

import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConversionError, importConf, parseTargets, pcreToJs, readCrs, type ImportResult } from "../../../../scripts/crs-import.ts";
import { BENIGN_SAMPLES, KNOWN_FLAGGED } from "./benign-samples.ts";
import { compiledRules, CRS_COMMIT, CRS_RULES, CRS_SKIPPED, DEFAULT_PARANOIA_LEVEL, detectRequestAttack, evaluateCrs, parseRawRequest } from "./index.ts";
import {
  compressWhitespace,
  cssDecode,
  fromBytes,
  htmlEntityDecode,
  jsDecode,
  lowercase,
  removeCommentsChar,
  removeNulls,
  removeWhitespace,
  replaceComments,
  toBytes,
  urlDecodeUni,
  utf8toUnicode,
} from "./transform.ts";

const ids = (value: string, pl: number, location: Parameters<typeof evaluateCrs>[0]["location"] = "ARGS", name = "q") =>
  evaluateCrs({ location, name, value }, pl).map((m) => m.id);

describe("transformations (ModSecurity v2 behaviour)", () => {
  it("urlDecodeUni: %HH, %uHHHH (low byte; full-width folded to ASCII), '+', invalid kept", () => {
    expect(urlDecodeUni("%41%u0042+%zz%4")).toBe("AB %zz%4");
    expect(urlDecodeUni("%uff1cscript%uff1e")).toBe("<script>");
    expect(urlDecodeUni("%u2013")).toBe("\x13");
    expect(urlDecodeUni("%e2%80%93")).toBe("\xe2\x80\x93");
  });
  it("utf8toUnicode: valid multi-byte UTF-8 → %uHHHH text, invalid bytes kept", () => {
    expect(utf8toUnicode(toBytes("–é"))).toBe("%u2013%u00e9");
    expect(utf8toUnicode("\xc3(")).toBe("\xc3(");
    expect(utf8toUnicode(toBytes("＜"))).toBe("%uff1c");
    expect(urlDecodeUni(utf8toUnicode(toBytes("＜script＞")))).toBe("<script>");
  });
  it("htmlEntityDecode: decimal, hex (';' optional), the five named entities", () => {
    expect(htmlEntityDecode("&#60;&#x3C;&lt;&quot;&amp;&gt;&nbsp;")).toBe('<<<"&>\xa0');
    expect(htmlEntityDecode("&#60a&#x3e")).toBe("<a>");
    expect(htmlEntityDecode("&copy; &foo;")).toBe("&copy; &foo;");
  });
  it("jsDecode: \\xHH, \\uHHHH, octal, the C escapes, \\c → c", () => {
    expect(jsDecode("\\x3c\\u003c\\074\\n\\q")).toBe("<<<\nq");
    expect(jsDecode("\\uff1c")).toBe("<");
    expect(jsDecode("\\477")).toBe("\x277");
  });
  it("cssDecode: hex escapes swallow one space, backslash-newline removed, \\c → c", () => {
    expect(cssDecode("\\3c script\\3e")).toBe("<script>");
    expect(cssDecode("a\\\nb")).toBe("ab");
    expect(cssDecode("\\g\\ff1c")).toBe("g<");
    expect(cssDecode("java\\73 cript")).toBe("javascript");
  });
  it("removeNulls, lowercase (ASCII only), replaceComments, removeCommentsChar, whitespace", () => {
    expect(removeNulls("a\0b\0")).toBe("ab");
    expect(lowercase("SELECT \xc0")).toBe("select \xc0");
    expect(replaceComments("a/* x */b/*open")).toBe("a b ");
    expect(replaceComments("a*/b")).toBe("a*/b");
    expect(removeCommentsChar("a/*b*/c--d#e")).toBe("abcde");
    expect(compressWhitespace("a \t\n\xa0b")).toBe("a b");
    expect(removeWhitespace("a \t\n\xa0b")).toBe("ab");
  });
  it("bytes round-trip", () => {
    expect(fromBytes(toBytes("Müller – ＜"))).toBe("Müller – ＜");
  });
});

describe("PCRE → JavaScript", () => {
  const re = (p: string) => {
    const { source, flags } = pcreToJs(p);
    return new RegExp(source, flags);
  };
  it("leading (?i) and a whole-pattern (?i:…) become the i flag", () => {
    expect(pcreToJs("(?i)abc").flags).toBe("i");
    expect(pcreToJs("(?i:<meta[\\s/+].*?charset)").flags).toBe("i");
    expect(re("(?i:<META)").test("<meta")).toBe(true);
  });
  it("\\x{HH} is a byte; above 0xFF cannot be converted", () => {
    expect(re("\\x{bc}[^>\\x{be}]*").test("\xbcx")).toBe(true);
    expect(() => pcreToJs("\\x{263a}")).toThrow(ConversionError);
  });
  it("\\s is PCRE's set (no NBSP), '.' matches CR, '$' matches before a final newline", () => {
    expect(re("a\\sb").test("a\xa0b")).toBe(false);
    expect(re("a\\sb").test("a\x0bb")).toBe(true);
    expect(re("a.b").test("a\rb")).toBe(true);
    expect(re("a.b").test("a\nb")).toBe(false);
    expect(re("a$").test("a\n")).toBe(true);
    expect(re("[\\s/+\\S]").test("x")).toBe(true);
  });
  it("a ']' first in a class is a literal", () => {
    expect(re("[]a]").test("]")).toBe(true);
    expect(re("[^]a]").test("]")).toBe(false);
  });
  it("refuses what JavaScript cannot do faithfully", () => {
    expect(() => pcreToJs("a++")).toThrow(/possessive/);
    expect(() => pcreToJs("(?>ab)")).toThrow(/atomic/);
    expect(() => pcreToJs("a(?i)b")).toThrow(ConversionError);
    expect(() => pcreToJs("\\p{L}")).toThrow(ConversionError);
  });
});

describe("importer", () => {
  const conf = [
    'SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 1" "id:942011,phase:1,pass,nolog,skipAfter:END"',
    'SecRule ARGS|!REQUEST_HEADERS:Cookie|XML:/* "@rx (?i)union.*?select" \\',
    "    \"id:942270,phase:2,block,capture,t:none,t:urlDecodeUni,msg:'union, select',tag:'paranoia-level/1',severity:'CRITICAL'\"",
    'SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 2" "id:942013,phase:1,pass,nolog,skipAfter:END"',
    'SecRule ARGS_NAMES|ARGS "@rx \\b(\\w+)\\b=\\b(\\w+)\\b" "id:942130,phase:2,block,capture,t:none,msg:\'x\',tag:\'paranoia-level/2\',chain"',
    '    SecRule TX:1 "@streq %{TX.2}" "t:none"',
    'SecRule ARGS "@rx a++" "id:942999,phase:2,block,t:none,msg:\'possessive\',tag:\'paranoia-level/2\'"',
    'SecRule ARGS "@inspectFile x.lua" "id:942998,phase:2,block,t:none,msg:\'lua\',tag:\'paranoia-level/2\'"',
  ].join("\n");
  it("reads paranoia levels, targets, transformations and chains; lists what it cannot convert", () => {
    const out: ImportResult = { version: "test", rules: [], skipped: [] };
    importConf("REQUEST-942-APPLICATION-ATTACK-SQLI.conf", conf, () => "", out);
    expect(out.rules.map((r) => [r.id, r.paranoiaLevel])).toEqual([
      [942270, 1],
      [942130, 2],
    ]);
    const r = out.rules[0]!;
    expect(r.targets).toEqual([{ collection: "ARGS" }, { collection: "REQUEST_HEADERS", key: "cookie", exclude: true }, { collection: "XML", key: "/*" }]);
    expect(r.transformations).toEqual(["none", "urlDecodeUni"]);
    expect(r.msg).toBe("union, select");
    expect(out.rules[1]!.chain[0]!.operator).toMatchObject({ name: "streq", arg: "%{TX.2}" });
    expect(out.skipped.map((s) => [s.id, s.reason])).toEqual([
      [942999, "possessive quantifier"],
      [942998, "operator @inspectFile is not supported"],
    ]);
  });
  it("a rule tagged with a level other than its section's is an error", () => {
    const bad = conf.replace("paranoia-level/1", "paranoia-level/3");
    expect(() => importConf("REQUEST-942-X.conf", bad, () => "", { version: "", rules: [], skipped: [] })).toThrow(/942270 is tagged paranoia-level\/3/);
  });
  it("keeps '|' inside a /regex/ target key", () => {
    expect(parseTargets("ARGS_NAMES|!ARGS_NAMES:/^a|b$/|ARGS")).toEqual([
      { collection: "ARGS_NAMES" },
      { collection: "ARGS_NAMES", key: "/^a|b$/", exclude: true },
      { collection: "ARGS" },
    ]);
  });
  // With CRS_GIT_DIR pointing at a coreruleset git dir or checkout that has the commit: the
  // generated file is exactly what the importer makes of it (apart from the timing-based
  // linearEngine marks), i.e. nobody edited it by hand.
  const crsDir = process.env.CRS_GIT_DIR;
  it.skipIf(!crsDir || !existsSync(crsDir))("rules.generated.ts is the importer's output for the CRS commit it names", () => {
    const crs = readCrs(crsDir!, CRS_COMMIT);
    const out: ImportResult = { version: crs.version, rules: [], skipped: [] };
    for (const [name, text] of crs.files) importConf(name, text, crs.data, out);
    const strip = (rs: typeof CRS_RULES) => rs.map(({ linearEngine: _l, ...r }) => r);
    expect(strip(out.rules)).toEqual(strip(CRS_RULES));
    expect(out.skipped).toEqual(CRS_SKIPPED);
  });
  it("the generated rules: CRS 941/942, all four levels, only the housekeeping rule skipped", () => {
    expect(CRS_RULES.length).toBeGreaterThan(80);
    expect(new Set(CRS_RULES.map((r) => r.paranoiaLevel))).toEqual(new Set([1, 2, 3, 4]));
    expect(CRS_SKIPPED.map((s) => s.id)).toEqual([941010]);
    expect(compiledRules()).toHaveLength(CRS_RULES.length);
  });
});

describe("engine", () => {
  it("a rule runs only at a paranoia level >= its own (942530, PL3: quote then ';')", () => {
    expect(ids("x';", 2)).not.toContain(942530);
    expect(ids("x';", 3)).toContain(942530);
    expect(ids("x';", 4)).toContain(942530);
  });
  it("targets: REQUEST_HEADERS minus Cookie for 941110; ARGS_NAMES; the path", () => {
    expect(ids("<script>alert(1)</script>", 1, "REQUEST_HEADERS", "X-Custom")).toContain(941110);
    expect(ids("<script>alert(1)</script>", 1, "REQUEST_HEADERS", "Cookie")).not.toContain(941110);
    expect(ids("<script>alert(1)</script>", 1, "ARGS_NAMES")).toContain(941110);
    // 942270 does not look at headers
    expect(ids("1 union select a from b", 1, "REQUEST_HEADERS", "X-Custom")).not.toContain(942270);
    expect(ids("1 union select a from b", 1)).toContain(942270);
  });
  it("chained rules see the captures: 942130 when both sides of '=' are equal, 942131 for a comparison of different words", () => {
    expect(ids("x' or 'a'='a", 2)).toContain(942130);
    expect(ids("x' or 'a'='a", 2)).not.toContain(942131);
    expect(ids("x' or 'a'<'b", 2)).toContain(942131);
    expect(ids("x' or 'a'='b", 2)).not.toContain(942130);
  });
  it("transformations apply before matching: URL- and entity-encoded, full-width", () => {
    expect(ids("%3Cscript%3Ealert(1)%3C/script%3E", 1)).toContain(941110);
    expect(ids("&lt;script&gt;alert(1)", 1)).toContain(941110);
    expect(ids("＜script＞alert(1)", 1)).toContain(941110);
  });
  it("@detectSQLi / @detectXSS call Guardian's detectors", () => {
    expect(ids("1' or '1'='1", 1)).toContain(942100);
    expect(ids("<img src=x onerror=alert(1)>", 1)).toContain(941100);
  });
  it("detectRequestAttack reports crs:<id> next to Guardian's own rule ids, per family", () => {
    const d = detectRequestAttack({ location: "ARGS", name: "q", value: "1 union select password from users" }, 1);
    expect(d.sqli.flagged).toBe(true);
    expect(d.sqli.rules).toContain("crs:942270");
    expect(d.sqli.rules.some((r) => r.startsWith("sqli."))).toBe(true);
    expect(d.xss.rules.every((r) => !r.startsWith("crs:942"))).toBe(true);
    const x = detectRequestAttack({ location: "ARGS", name: "q", value: "Q3 -- final" }, 2);
    expect(x.sqli).toMatchObject({ flagged: true, rules: ["crs:942440"] });
    expect(detectRequestAttack({ location: "ARGS", name: "q", value: "Q3 -- final" }, 1).sqli.flagged).toBe(false);
  });
  it("long values are matched whole (on re2js past V8_MAX_BYTES), with captures for chained rules", () => {
    const v = "a ".repeat(20_000) + "1 union select password from users";
    expect(ids(v, 1)).toContain(942270);
    // a match spanning far more than any window: union … 30 KB … select … from
    expect(ids("union " + "x ".repeat(15_000) + "select a from b", 1)).toContain(942270);
    const pad = "z ".repeat(400);
    expect(ids(pad + "x' or 'a'='a", 2)).toContain(942130);
    expect(ids(pad + "x' or 'a'<'b", 2)).toContain(942131);
    expect(ids(pad + "x' or 'a'<'b", 2)).not.toContain(942130);
  });
});

describe("raw requests", () => {
  it("parses form, JSON, cookies, XML, path the way ModSecurity does", () => {
    expect(parseRawRequest({ location: "query", raw: "a=%3Cb%3E&c+d=e+f" }).map((i) => [i.location, i.value])).toEqual([
      ["ARGS_NAMES", "a"],
      ["ARGS", "<b>"],
      ["ARGS_NAMES", "c d"],
      ["ARGS", "e f"],
    ]);
    expect(parseRawRequest({ location: "body", raw: '{"a":{"b":["x",2]}}', contentType: "application/json" }).filter((i) => i.location === "ARGS").map((i) => [i.name, i.value])).toEqual([
      ["json.a.b.array_0", "x"],
      ["json.a.b.array_1", "2"],
    ]);
    expect(parseRawRequest({ location: "header:Cookie", raw: "s=1; t=<x>" }).map((i) => i.location)).toEqual(["REQUEST_HEADERS", "REQUEST_COOKIES_NAMES", "REQUEST_COOKIES", "REQUEST_COOKIES_NAMES", "REQUEST_COOKIES"]);
    expect(parseRawRequest({ location: "body", raw: '<r a="&lt;x&gt;">t</r>', contentType: "application/xml" }).map((i) => i.value)).toEqual(["<x>", "t"]);
    expect(parseRawRequest({ location: "uri", raw: "/a/b.php?x=1" }).map((i) => [i.location, i.value])).toEqual([
      ["REQUEST_FILENAME", "/a/b.php"],
      ["REQUEST_BASENAME", "b.php"],
      ["ARGS_NAMES", "x"],
      ["ARGS", "1"],
    ]);
  });
});

describe("the product's ordinary inputs", () => {
  it(`pass at the default paranoia level (${DEFAULT_PARANOIA_LEVEL}), except the ones Guardian's own detector flags`, () => {
    const flagged = BENIGN_SAMPLES.filter((s) => {
      const d = detectRequestAttack(s, DEFAULT_PARANOIA_LEVEL);
      return d.sqli.flagged || d.xss.flagged;
    }).map((s) => s.value);
    expect(flagged).toEqual(KNOWN_FLAGGED);
  });
  it("the CRS rules add nothing on them at the default level", () => {
    const crs = BENIGN_SAMPLES.flatMap((s) => evaluateCrs(s, DEFAULT_PARANOIA_LEVEL, { skipLibinjection: true }).map((m) => `${s.value}: ${m.id}`));
    expect(crs).toEqual([]);
  });
});

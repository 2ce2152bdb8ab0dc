// Normalisation before matching. Attackers disguise payloads so that a plain matcher misses
// them: full-width or mathematical letters, Cyrillic/Greek look-alikes, zero-width and bidi
// controls, l33t digits, letters spaced out ("i g n o r e"), and whole payloads encoded as
// base64, hex, URL or HTML escapes. Every function here is total (never throws) and bounded
// in the work it does, because it runs on every request input.

/** Inputs are cut to this many UTF-16 units before any matching: bounds time per input. */
export const MAX_INPUT = 64 * 1024;
/** Decoding of nested encodings stops after this many layers. */
export const MAX_DECODE_DEPTH = 3;
/** A decoded payload is scanned only if it is at least this long (short decodes are noise). */
const MIN_DECODED = 6;

// Zero-width, joiners, bidi embeddings/overrides/isolates, soft hyphen, word joiner, BOM,
// Mongolian vowel separator, combining grapheme joiner, variation selectors.
const INVISIBLE_RE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/g;
// Unicode "tag" characters (U+E0000..E007F) mirror ASCII and are invisible: the known
// "ASCII smuggling" trick. They are translated back to ASCII rather than dropped.
const TAG_RE = /[\u{E0000}-\u{E007F}]/gu;
const VARIATION_SUPP_RE = /[\u{E0100}-\u{E01EF}]/gu;

/** Removes invisible format characters; turns Unicode tag characters back into ASCII. */
export function stripInvisible(s: string): string {
  let out = s.replace(INVISIBLE_RE, "").replace(VARIATION_SUPP_RE, "");
  if (/[\u{E0000}-\u{E007F}]/u.test(out)) {
    out = out.replace(TAG_RE, (c) => {
      const cp = c.codePointAt(0)! - 0xe0000;
      return cp >= 0x20 && cp < 0x7f ? String.fromCharCode(cp) : "";
    });
  }
  return out;
}

/** Unicode compatibility normalisation: full-width, ligatures, math alphanumerics, circled letters. */
export function nfkc(s: string): string {
  try {
    return s.normalize("NFKC");
  } catch {
    return s;
  }
}

// Look-alikes that NFKC leaves alone: Cyrillic, Greek, Armenian, Latin small capitals and a few
// symbols. Folded only inside words that also contain a Latin letter, or words made only of
// look-alikes of one script that pass for Latin; genuine Cyrillic/Greek prose keeps its letters
// (the multilingual rules match it unfolded).
const HOMOGLYPHS: Record<string, string> = {
  // Cyrillic lower
  "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
  "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
  "ь": "b", "ɡ": "g", "ց": "g", "ո": "n", "ս": "u", "օ": "o", "զ": "q",
  // Cyrillic upper
  "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
  "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Һ": "H", "Ӏ": "I",
  // Greek
  "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
  "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
  "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
  "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
  // Latin look-alikes outside ASCII that NFKC keeps
  "ı": "i", "ȷ": "j", "ʟ": "l", "ɪ": "i", "ɴ": "n", "ʀ": "r", "ᴀ": "a", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ᴏ": "o",
  "ᴘ": "p", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ꜱ": "s", "ʏ": "y", "ɢ": "g", "ʜ": "h", "ᴋ": "k",
  "ᴍ": "m", "ʙ": "b", "ꞯ": "q", "ᴊ": "j", "ғ": "f",
  // punctuation look-alikes that matter to SQL/HTML matching
  "‘": "'", "’": "'", "‚": "'", "‛": "'", "ʼ": "'", "ʹ": "'", "′": "'", "＇": "'",
  "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "＂": '"',
  "‹": "<", "›": ">", "˂": "<", "˃": ">", "ᐸ": "<", "ᐳ": ">",
};
const HOMOGLYPH_RE = new RegExp(`[${Object.keys(HOMOGLYPHS).join("")}]`, "g");
const HAS_HOMOGLYPH_RE = new RegExp(`[${Object.keys(HOMOGLYPHS).join("")}]`);

/**
 * Folds look-alike letters to ASCII. Only words that mix scripts (a Latin letter next to a
 * look-alike) are folded, plus quote/angle look-alikes everywhere: real Russian or Greek text
 * stays as it is.
 */
const QUOTE_LIKE_RE = /[‘’‚‛ʼʹ′＇“”„‟″＂‹›˂˃ᐸᐳ]/g;
// Scripts with letter look-alikes: Greek, Cyrillic, Armenian, IPA/small capitals, dotless i.
const LOOKALIKE_SCRIPT_RE = /[\u0131\u0237\u0250-\u02af\u0370-\u058f\u1d00-\u1dbf\ua700-\ua7ff]/;

export function foldHomoglyphs(s: string): string {
  if (!LOOKALIKE_SCRIPT_RE.test(s)) return s.replace(QUOTE_LIKE_RE, (c) => HOMOGLYPHS[c] ?? c);
  return s.replace(/[\p{L}\p{M}'‘’‚‛ʼʹ′＇“”„‟″＂‹›˂˃ᐸᐳ]+|[^\p{L}\p{M}]+/gu, (word) => {
    if (!HAS_HOMOGLYPH_RE.test(word)) return word;
    const mixed = /[A-Za-z]/.test(word);
    // Every letter is either ASCII or a known look-alike: a disguised Latin word.
    const allFoldable = [...word].every((c) => /[A-Za-z]/.test(c) || c in HOMOGLYPHS || !/\p{L}/u.test(c));
    if (mixed || allFoldable) return word.replace(HOMOGLYPH_RE, (c) => HOMOGLYPHS[c] ?? c);
    return word.replace(/[‘’‚‛ʼʹ′＇“”„‟″＂‹›˂˃ᐸᐳ]/g, (c) => HOMOGLYPHS[c] ?? c);
  });
}

// Characters that look like, or are typed as, the ASCII single and double quote (for the SQL
// views only; the prompt views keep their own folding): ‘ ’ ‚ ‛ ʼ ʹ ˈ ˊ ′ ‵ ´ ꞌ and “ ” „ ‟ ″ ‶.
// Full-width ＇ ＂ are left to NFKC.
const SINGLE_QUOTE_LIKE_RE = /[\u2018\u2019\u201a\u201b\u02bc\u02b9\u02c8\u02ca\u2032\u2035\u00b4\ua78c]/g;
const DOUBLE_QUOTE_LIKE_RE = /[\u201c\u201d\u201e\u201f\u2033\u2036]/g;

/** Quote look-alikes → ASCII quotes (' and "). */
export function foldQuoteLookalikes(s: string): string {
  return s.replace(SINGLE_QUOTE_LIKE_RE, "'").replace(DOUBLE_QUOTE_LIKE_RE, '"');
}

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e" };

/**
 * Undoes leetspeak inside words that mix letters with digit/symbol substitutes ("1gn0r3",
 * "pr0mpt", "j@ilbr3@k"). Pure numbers and symbols alone are left as they are.
 */
const LEET_HINT_RE = /[a-z][0-9@$!|+€]|[0-9@$!|+€][a-z]/i;

export function unleet(s: string): string {
  if (!LEET_HINT_RE.test(s)) return s;
  return s.replace(/[A-Za-z0-9@$!|+€]{3,}/g, (w) => {
    if (!/[A-Za-z]/.test(w) || !/[0-9@$!|+€]/.test(w)) return w;
    // A word like "abc123" (trailing digits) or "utf8" is an identifier, not leet.
    if (/^[A-Za-z]+\d+$/.test(w) && !/[A-Za-z]\d+[A-Za-z]/.test(w)) return w;
    let out = "";
    for (const c of w) out += LEET[c] ?? c;
    return out;
  });
}

/**
 * Joins letters separated by single spaces or inserted punctuation ("i g n o r e",
 * "i.g.n.o.r.e", "i-g-n-o-r-e"). Runs of at least four single letters are joined.
 */
const SPACED_HINT_RE = /(?:^|[^a-z0-9])[a-z0-9][ \t._\-*|/\\,+~^`'"]{1,3}[a-z0-9][ \t._\-*|/\\,+~^`'"]{1,3}[a-z0-9][ \t._\-*|/\\,+~^`'"]{1,3}[a-z0-9](?![a-z0-9])/i;

export function collapseSpacing(s: string): string {
  // cheap ASCII pre-check; the Unicode-aware pass below is slow on long texts
  if (!SPACED_HINT_RE.test(s)) return s;
  return s.replace(/(?<![\p{L}\p{N}])(?:[\p{L}\p{N}][ \t._\-*|/\\,+~^`'"]{1,3}){3,}[\p{L}\p{N}](?![\p{L}\p{N}])/gu, (run) =>
    run.replace(/[^\p{L}\p{N}]+/gu, ""),
  );
}

/** Lower-case letters and digits only: "I-g n*o r.e  previous" → "ignoreprevious". */
export function compact(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9\u00c0-\u024f\u0370-\u04ff\u4e00-\u9fff]+/g, "");
}

const NAMED_ENTITIES: Record<string, string> = {
  lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: " ", colon: ":", lpar: "(", rpar: ")", sol: "/",
  bsol: "\\", semi: ";", equals: "=", tab: "\t", newline: "\n", excl: "!", num: "#", period: ".", comma: ",",
  grave: "`", lsqb: "[", rsqb: "]", lbrack: "[", rbrack: "]", lcub: "{", rcub: "}", vert: "|", ast: "*", quest: "?",
  percnt: "%", dollar: "$", plus: "+", lowbar: "_", hyphen: "-", dash: "-", commat: "@", Hat: "^",
};

function cp(n: number): string {
  return n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : "";
}

/** Decodes HTML character references, including ones without the closing semicolon. */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(?:#[xX]0*([0-9a-fA-F]{1,6});?|#0*([0-9]{1,7});?|([A-Za-z]{2,8});)/g, (m, hex, dec, name) => {
    if (hex) return cp(parseInt(hex, 16));
    if (dec) return cp(parseInt(dec, 10));
    const v = NAMED_ENTITIES[name] ?? NAMED_ENTITIES[String(name).toLowerCase()];
    return v ?? m;
  });
}

/** Decodes %XX, %uXXXX and '+' as space. Invalid UTF-8 sequences keep their Latin-1 reading. */
export function decodeUrl(s: string): string {
  if (!/%[0-9a-fA-F]{2}|%u[0-9a-fA-F]{4}|\+/.test(s)) return s;
  let t = s.replace(/%u([0-9a-fA-F]{4})/g, (_m, h: string) => cp(parseInt(h, 16)));
  t = t.replace(/\+/g, " ");
  try {
    return decodeURIComponent(t.replace(/%(?![0-9a-fA-F]{2})/g, "%25"));
  } catch {
    return t.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/** Decodes %XX and %uXXXX only: '+' stays a plus (a value that is not a query string). */
export function decodePercent(s: string): string {
  if (!/%[0-9a-fA-F]{2}|%u[0-9a-fA-F]{4}/.test(s)) return s;
  const t = s.replace(/%u([0-9a-fA-F]{4})/g, (_m, h: string) => cp(parseInt(h, 16)));
  try {
    return decodeURIComponent(t.replace(/%(?![0-9a-fA-F]{2})/g, "%25"));
  } catch {
    return t.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/** Decodes backslash escapes as JS/CSS write them: \xNN, \uNNNN, \u{...}, \NNN (CSS hex). */
export function decodeBackslashEscapes(s: string): string {
  if (!s.includes("\\")) return s;
  return s
    .replace(/\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g, (_m, a, b, c) => cp(parseInt(a ?? b ?? c, 16)))
    .replace(/\\([0-9a-fA-F]{2,6})\s?/g, (m, h: string) => {
      const n = parseInt(h, 16);
      return n >= 0x20 ? cp(n) : m;
    });
}

function printableRatio(s: string): number {
  if (!s.length) return 0;
  let ok = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09 || c >= 0xa0) ok++;
  }
  return ok / s.length;
}

function bytesToText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return String.fromCharCode(...bytes.subarray(0, 4096));
  }
}

/** base64 (standard or URL-safe) → text, or null when the result is not mostly printable text. */
export function tryBase64(run: string): string | null {
  const clean = run.replace(/[^A-Za-z0-9+/_-]/g, "");
  if (clean.length < 8 || clean.length % 4 === 1) return null;
  // Pure hex or pure letters are far more often identifiers than base64.
  if (/^[0-9a-fA-F]+$/.test(clean) || /^[A-Za-z]+$/.test(clean)) return null;
  try {
    const text = bytesToText(Buffer.from(clean.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
    if (text.length < MIN_DECODED || printableRatio(text) < 0.95) return null;
    // Decoded text must look like words, not random bytes that happen to be printable.
    if (!/[A-Za-z]{3,}/.test(text) || /[\u0080-\u00ff]{2}/.test(text)) return null;
    return text;
  } catch {
    return null;
  }
}

/** hex digits (optionally 0x / \x / spaces between pairs) → text, or null. */
export function tryHex(run: string): string | null {
  const clean = run.replace(/^0x/i, "").replace(/\\x|0x|[\s:]/gi, "");
  if (clean.length < 2 * MIN_DECODED || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return null;
  const text = bytesToText(Buffer.from(clean, "hex"));
  if (printableRatio(text) < 0.95 || !/[A-Za-z]{3,}/.test(text)) return null;
  return text;
}

const B64_RUN = /[A-Za-z0-9+/_-]{12,}={0,2}/g;
const HEX_RUN = /(?:(?:\\x|0x)?[0-9a-fA-F]{2}[\s:]?){6,}/g;

/**
 * Payloads hidden in base64, hex, URL or HTML encodings, decoded (recursively, up to
 * MAX_DECODE_DEPTH layers, bounded in count) so the detectors can scan them as well. The
 * input itself is not included.
 */
export function decodedLayers(s: string, depth = MAX_DECODE_DEPTH): string[] {
  const out: string[] = [];
  const seen = new Set<string>([s]);
  let frontier = [s];
  for (let d = 0; d < depth && frontier.length && out.length < 16; d++) {
    const next: string[] = [];
    for (const text of frontier) {
      const cands: string[] = [];
      const u = decodeUrl(text);
      if (u !== text) cands.push(u);
      const h = decodeHtmlEntities(text);
      if (h !== text) cands.push(h);
      const e = decodeBackslashEscapes(text);
      if (e !== text) cands.push(e);
      let n = 0;
      for (const m of text.matchAll(B64_RUN)) {
        if (++n > 8) break;
        const t = tryBase64(m[0]);
        if (t) cands.push(t);
      }
      n = 0;
      for (const m of text.matchAll(HEX_RUN)) {
        if (++n > 8) break;
        const t = tryHex(m[0].trim());
        if (t) cands.push(t);
      }
      for (const c of cands) {
        if (seen.has(c) || c.length < 2) continue;
        seen.add(c);
        out.push(c);
        next.push(c);
      }
    }
    frontier = next;
  }
  return out;
}

/**
 * The standard text normalisation: cut to MAX_INPUT, invisible characters removed, NFKC,
 * look-alikes folded. Leetspeak and spacing are separate views (they would damage ordinary
 * text if always applied).
 */
export function normalize(text: string): string {
  const s = typeof text === "string" ? text : String(text ?? "");
  return foldHomoglyphs(nfkc(stripInvisible(s.length > MAX_INPUT ? s.slice(0, MAX_INPUT) : s)));
}

/**
 * Every view a detector should match against: the normalised text, its de-leeted and
 * de-spaced forms, and each decoded layer normalised the same way. Deduplicated.
 */
export function textViews(text: string): string[] {
  return textViewsDetailed(text).views;
}

/** textViews plus what produced them: views[0] is the plain normalised text. */
export function textViewsDetailed(text: string): { views: string[]; decoded: number } {
  const base = normalize(text);
  const views = new Set<string>([base]);
  const add = (v: string) => {
    views.add(v);
    const l = unleet(v);
    views.add(l);
    views.add(collapseSpacing(l));
  };
  add(base);
  // Real Cyrillic/Greek words can consist only of look-alike letters ("все"): keep an
  // unfolded view for the multilingual rules.
  const unfolded = nfkc(stripInvisible(typeof text === "string" ? text.slice(0, MAX_INPUT) : ""));
  if (unfolded !== base) views.add(unfolded);
  const layers = decodedLayers(base);
  for (const layer of layers) add(normalize(layer));
  return { views: [...views], decoded: layers.length };
}

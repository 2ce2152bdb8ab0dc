// ModSecurity v2 transformations (t:…) used by the CRS 941/942 rules, on byte strings: one
// JavaScript char per byte (0..255), as ModSecurity sees the request. Each follows
// apache2/re_tfns.c and msc_util.c of ModSecurity 2.9; where v2 and libmodsecurity 3 differ the
// v2 behaviour is kept and the comment says so.

/** A JavaScript string → its UTF-8 bytes, one char per byte. */
export function toBytes(s: string): string {
  // Fast path: ASCII only.
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return Buffer.from(s, "utf8").toString("latin1");
}

/** Bytes → JavaScript string (invalid UTF-8 becomes U+FFFD). */
export function fromBytes(b: string): string {
  if (/^[\x00-\x7f]*$/.test(b)) return b;
  return Buffer.from(b, "latin1").toString("utf8");
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * %uHHHH → one byte, as ModSecurity without a unicode map: the low byte of the code point; for
 * the full-width forms U+FF01..U+FF5E (low byte 0x01..0x5E) 0x20 is added, so that '％ｕff1c'
 * (＜) becomes '<'.
 */
function uniByte(hex4: string): string {
  let b = parseInt(hex4.slice(2), 16);
  if (b > 0x00 && b < 0x5f && /^ff$/i.test(hex4.slice(0, 2))) b += 0x20;
  return String.fromCharCode(b);
}

/** t:urlDecodeUni: %HH and %uHHHH decoded, '+' → space; invalid encodings left as they are. */
export function urlDecodeUni(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      if ((s[i + 1] === "u" || s[i + 1] === "U") && isHex(s[i + 2]) && isHex(s[i + 3]) && isHex(s[i + 4]) && isHex(s[i + 5])) {
        out += uniByte(s.slice(i + 2, i + 6));
        i += 5;
        continue;
      }
      if (isHex(s[i + 1]) && isHex(s[i + 2])) {
        out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
        continue;
      }
      out += c;
    } else if (c === "+") out += " ";
    else out += c;
  }
  return out;
}

/** t:urlDecode: %HH and '+' only. */
export function urlDecode(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  return s.replace(/%([0-9a-fA-F]{2})|\+/g, (m, h: string | undefined) => (h ? String.fromCharCode(parseInt(h, 16)) : " "));
}

/**
 * t:utf8toUnicode: every valid multi-byte UTF-8 sequence becomes the text %uHHHH (code point in
 * lower-case hex, at least four digits); single bytes and invalid sequences are kept.
 */
export function utf8toUnicode(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i);
    let len = 0;
    let cp = 0;
    if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      cp = b & 0x07;
    }
    let ok = len > 0 && i + len <= s.length;
    for (let k = 1; ok && k < len; k++) {
      const x = s.charCodeAt(i + k);
      if ((x & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (x & 0x3f);
    }
    if (ok && ((len === 3 && cp < 0x800) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff)))) ok = false;
    if (!ok) {
      out += s[i];
      continue;
    }
    out += "%u" + cp.toString(16).padStart(4, "0");
    i += len - 1;
  }
  return out;
}

/**
 * t:htmlEntityDecode: &#DDD; &#xHH; (the ';' optional, the value's low byte) and the named
 * entities ModSecurity knows: &quot; &amp; &lt; &gt; &nbsp; (→ 0xA0), ';' optional.
 */
export function htmlEntityDecode(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|(quot|amp|lt|gt|nbsp));?/gi, (m, hx: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (hx !== undefined) return String.fromCharCode(parseInt(hx.slice(-8), 16) & 0xff);
    if (dec !== undefined) return String.fromCharCode(Number(dec.slice(-10)) & 0xff);
    switch (name!.toLowerCase()) {
      case "quot":
        return '"';
      case "amp":
        return "&";
      case "lt":
        return "<";
      case "gt":
        return ">";
      default:
        return "\xa0";
    }
  });
}

const JS_SIMPLE: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/**
 * t:jsDecode: \uHHHH (low byte; full-width U+FF01..FF5E folded to ASCII as in urlDecodeUni),
 * \xHH, \OOO octal (up to three digits, at most 0377), \a \b \f \n \r \t \v, and \c → c for any
 * other character.
 */
export function jsDecode(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\" || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[i + 1]!;
    if ((n === "u" || n === "U") && isHex(s[i + 2]) && isHex(s[i + 3]) && isHex(s[i + 4]) && isHex(s[i + 5])) {
      out += uniByte(s.slice(i + 2, i + 6));
      i += 5;
    } else if ((n === "x" || n === "X") && isHex(s[i + 2]) && isHex(s[i + 3])) {
      out += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (/[0-7]/.test(n)) {
      let j = i + 1;
      let digits = "";
      while (j < s.length && digits.length < 3 && /[0-7]/.test(s[j]!)) digits += s[j++];
      // ModSecurity reads at most three octal digits and only while the value stays <= 0377.
      if (digits.length === 3 && digits[0]! > "3") digits = digits.slice(0, 2);
      out += String.fromCharCode(parseInt(digits, 8));
      i += digits.length;
    } else if (JS_SIMPLE[n] !== undefined) {
      out += JS_SIMPLE[n];
      i += 1;
    } else {
      out += n;
      i += 1;
    }
  }
  return out;
}

/**
 * t:cssDecode (CSS 2.1 escapes): '\' + 1..6 hex digits → that character (full-width U+FF01..FF5E
 * folded to ASCII, otherwise the low byte), one whitespace after the digits swallowed; '\' + a
 * newline removed; '\' + any other character → the character.
 */
export function cssDecode(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    if (i + 1 >= s.length) {
      // a trailing backslash is dropped
      break;
    }
    let j = i + 1;
    let hex = "";
    while (j < s.length && hex.length < 6 && isHex(s[j])) hex += s[j++];
    if (hex) {
      let v: number;
      if (hex.length >= 4) {
        const h4 = hex.slice(-4);
        v = uniByte(h4).charCodeAt(0);
        // v2 takes the last two digits, with the full-width fold for FFxx
      } else v = parseInt(hex.slice(-2), 16);
      out += String.fromCharCode(v & 0xff);
      if (j < s.length && isSpace(s.charCodeAt(j))) j++;
      i = j - 1;
    } else if (s[j] === "\n") {
      i = j;
    } else {
      out += s[j];
      i = j;
    }
  }
  return out;
}

/** t:removeNulls */
export const removeNulls = (s: string): string => (s.includes("\0") ? s.replace(/\0/g, "") : s);

/** t:lowercase (ASCII only, as C tolower in the C locale). */
export const lowercase = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** t:replaceComments: each C comment, and an unterminated one to the end, → one space. A lone '*∕' stays. */
export function replaceComments(s: string): string {
  if (!s.includes("/*")) return s;
  return s.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, " ");
}

/** t:removeCommentsChar: removes the comment characters and sequences '/*', '*∕', '--', '#'. */
export function removeCommentsChar(s: string): string {
  return s.replace(/\/\*|\*\/|--|#/g, "");
}

/** ModSecurity's whitespace for compressWhitespace/removeWhitespace: isspace() or NBSP (0xA0). */
const WS = /[\t\n\v\f\r \xa0]+/g;

/** t:compressWhitespace: runs of whitespace → one space. */
export const compressWhitespace = (s: string): string => s.replace(WS, " ");

/** t:removeWhitespace */
export const removeWhitespace = (s: string): string => s.replace(WS, "");

export const TRANSFORMATIONS: Record<string, (s: string) => string> = {
  utf8toUnicode,
  urlDecodeUni,
  urlDecode,
  htmlEntityDecode,
  jsDecode,
  cssDecode,
  removeNulls,
  lowercase,
  replaceComments,
  removeCommentsChar,
  compressWhitespace,
  removeWhitespace,
};

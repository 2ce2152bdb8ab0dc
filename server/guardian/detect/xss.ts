// XSS detection on request inputs. The input is decoded (URL, HTML entities, JS/CSS escapes,
// UTF-7 markers), normalised (NFKC folds full-width '＜'), and scanned as HTML-ish markup:
// tags are parsed into a name and attributes, so that a script-capable tag, an event-handler
// attribute, a javascript:/vbscript:/data: URL in any attribute or CSS url(), and the
// JavaScript sinks an injected script needs are each recognised, whatever the spacing, case
// or quoting. A plain link or ordinary text with '<' in it is not markup.
import { collapseSpacing, decodeBackslashEscapes, decodeHtmlEntities, decodeUrl, nfkc, stripInvisible, MAX_INPUT } from "./normalize.ts";
import { combine, threshold, type Detection, type DetectOptions } from "./types.ts";

// Tags that can run script, load active content or rewrite the page.
const SCRIPT_TAGS = new Set(["script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base", "meta", "link", "style", "import", "vmlframe", "xss", "isindex", "handler", "listener", "animate", "set", "xml", "bgsound", "layer", "ilayer", "portal", "template", "noscript", "xmp", "plaintext", "form", "marquee", "image", "use", "foreignobject"]);
// Ordinary tags that become dangerous with an event handler or a script URL.
const MARKUP_TAGS = new Set(["a", "img", "body", "html", "input", "button", "video", "audio", "source", "details", "dialog", "div", "span", "p", "table", "td", "textarea", "select", "option", "keygen", "title", "textarea", "object", "area", "map", "track", "picture", "head", "frame", "br", "b", "i", "u", "h1", "h2", "h3", "li", "ul", "font", "center", "label", "output", "canvas", "x"]);

const EVENT_NAMES = /^on(?:load|error|click|dblclick|mouse\w*|key\w*|focus\w*|blur|change|submit|input|pointer\w*|touch\w*|drag\w*|drop|animation\w*|transition\w*|begin|end|zoom|scroll\w*|resize|wheel|play\w*|toggle|start|finish|page\w*|hash\w*|message\w*|popstate|before\w*|after\w*|unload|webkit\w*|copy|cut|paste|select\w*|show|contextmenu|reset|search|invalid|abort|canplay\w*|durationchange|emptied|ended|loaded\w*|loadstart|pause|progress|ratechange|seek\w*|stalled|suspend|timeupdate|volumechange|waiting|offline|online|storage|formdata|auxclick|repeat|readystatechange|gesture\w*|orientationchange|device\w*|fullscreen\w*|content\w*|close|cancel|cuechange|open|securitypolicyviolation|slotchange|\w*pointercapture|visibilitychange|bounce|activate|deactivate|help|filterchange|propertychange|rowenter|rowexit|datasetchanged|move\w*|layoutcomplete|losecapture|afterupdate|hashchange|search|animationstart|transitionend)$/i;

/** Decoded views of an XSS candidate input. */
export function xssViews(text: string): string[] {
  let s = typeof text === "string" ? text : String(text ?? "");
  if (s.length > MAX_INPUT) s = s.slice(0, MAX_INPUT);
  const views = new Set<string>([s]);
  let cur = s;
  for (let d = 0; d < 4; d++) {
    const next = decodeBackslashEscapes(decodeHtmlEntities(decodeUrl(cur)));
    if (next === cur) break;
    cur = next;
    views.add(cur);
  }
  const norm = nfkc(stripInvisible(cur)).replace(/\u0000/g, "");
  views.add(norm);
  // UTF-7 "+ADw-" is '<', "+AD4-" is '>' (old IE charset sniffing)
  if (/\+?AD[w4]-/.test(norm)) views.add(norm.replace(/\+?ADw-/g, "<").replace(/\+?AD4-/g, ">").replace(/\+?ACI-/g, '"'));
  // latin-1 bytes of look-alike brackets (0xBC '¼' 0xBE '¾' used as < > by some decoders)
  if (/[\u00bc\u00be]|\\xbc|\\xbe/.test(norm)) views.add(norm.replace(/\\x(?:d0\\x)?bc|[\u00bc]/gi, "<").replace(/\\x(?:d0\\x)?be|[\u00be]/gi, ">"));
  // letters spaced apart inside a tag name: "<f o r m"
  if (/<\s*(?:[a-z]\s+){2,}[a-z]/i.test(norm)) views.add(collapseSpacing(norm));
  return [...views];
}

// Scheme names with whitespace, control characters or entities inside ("java\tscript:").
const JS_URL_RE = /(?:j\W*a\W*v\W*a|v\W*b|l\W*i\W*v\W*e)\W{0,6}s\W*c\W*r\W*i\W*p\W*t\s*:/i;
const DATA_URL_RE = /\bdata\s*:\s*(?:text\/html|image\/svg|application\/(?:x-)?(?:javascript|xhtml)|text\/javascript|[^,]{0,40}base64\s*,|\s*,)/i;

interface Hit {
  id: string;
  weight: number;
}

function scanTags(s: string, add: (h: Hit) => void): void {
  // A tag: '<' then optional spaces/slash, a name (with namespace), then attributes up to '>' or end.
  const TAG = /<\s*\/?\s*([a-z][\w.-]*(?::[a-z][\w.-]*)?|!doctype|!entity|\?xml|!\[cdata\[)([^<>]*)(?:>|$|(?=<))/gi;
  let m: RegExpExecArray | null;
  let count = 0;
  while ((m = TAG.exec(s)) && count++ < 200) {
    const rawName = m[1]!.toLowerCase();
    const name = rawName.includes(":") ? rawName.split(":").pop()! : rawName;
    const attrs = m[2] ?? "";
    if (name === "script") add({ id: "xss.script_tag", weight: 0.95 });
    else if (SCRIPT_TAGS.has(name)) add({ id: "xss.active_tag", weight: name === "form" || name === "template" || name === "noscript" || name === "marquee" || name === "image" ? 0.6 : 0.85 });
    else if (rawName === "!entity" || rawName === "!doctype") add({ id: "xss.xml_entity", weight: 0.55 });
    // attributes
    const ATTR = /([^\s"'<>\/=]+)\s*(?:=\s*("[^"]*"?|'[^']*'?|`[^`]*`?|[^\s>]*))?/g;
    let a: RegExpExecArray | null;
    let n = 0;
    while ((a = ATTR.exec(attrs)) && n++ < 50) {
      const an = a[1]!.toLowerCase();
      const av = (a[2] ?? "").replace(/^["'`]|["'`]$/g, "");
      const hasValue = a[2] !== undefined;
      if (/^on[a-z]{3,}$/.test(an) && hasValue) add({ id: "xss.event_handler", weight: 0.9 });
      if (/^(?:href|src|action|formaction|data|code|codebase|background|lowsrc|dynsrc|poster|xlink:href|srcdoc|values|from|to|by|style|content|http-equiv|xmlns|xsi:schemalocation|pattern)$/.test(an)) {
        if (JS_URL_RE.test(av) || DATA_URL_RE.test(av)) add({ id: "xss.script_url", weight: 0.9 });
        if (an === "srcdoc" && /</.test(av)) add({ id: "xss.srcdoc", weight: 0.85 });
        if (an === "style" && /expression\s*\(|url\s*\(\s*["']?\s*(?:javascript|vbscript|data)|behavior\s*:|-moz-binding/i.test(av)) add({ id: "xss.css_script", weight: 0.9 });
        if (an === "http-equiv" && /refresh|set-cookie|content-type/i.test(av)) add({ id: "xss.meta_refresh", weight: 0.8 });
        if (an === "xmlns" && /xhtml|xinclude/i.test(av)) add({ id: "xss.xml_namespace", weight: 0.6 });
        if (an === "xsi:schemalocation") add({ id: "xss.xml_namespace", weight: 0.6 });
      }
      if (an === "language" && /jscript|vbscript|javascript/i.test(av)) add({ id: "xss.script_language", weight: 0.8 });
      if (an === "xmlns:xi" || an.startsWith("xmlns:")) add({ id: "xss.xml_namespace", weight: 0.6 });
    }
    if ((SCRIPT_TAGS.has(name) || MARKUP_TAGS.has(name)) && /[\s\/]/.test(attrs.slice(0, 1)) && /=/.test(attrs) && !/^\s+href\s*=\s*(?:["']|\\x2[27])?(?:https?:)?\/\//i.test(attrs)) add({ id: "xss.tag_with_attributes", weight: 0.5 });
  }
}

const TEXT_RULES: { id: string; weight: number; re: RegExp }[] = [
  // event handler outside a parsed tag: "x" onmouseover=alert(1) / ;onfocus=eval(...)
  { id: "xss.event_handler", weight: 0.9, re: /(?:^|[\s"'`;\/,(+])on[a-z]{3,40}\s*=\s*["'`]?\s*(?:[\w$.[\]]+\s*\(|[\w$.]+\s*`|\(|\[|javascript:|\{)/i },
  { id: "xss.event_handler_known", weight: 0.75, re: /(?:^|[\s"'`;\/,(<])(on[a-z]{3,40})\s*=/i },
  { id: "xss.script_url", weight: 0.85, re: /(?:^|[\s"'`=(:,{\[])(?:j\W{0,3}a\W{0,3}v\W{0,3}a|v\W{0,3}b|l\W{0,3}i\W{0,3}v\W{0,3}e)\W{0,6}s\W{0,3}c\W{0,3}r\W{0,3}i\W{0,3}p\W{0,3}t\s*:/i },
  { id: "xss.data_url", weight: 0.6, re: /(?:^|[\s"'`=(])data\s*:\s*(?:text\/html|image\/svg\+xml|application\/(?:x-)?javascript|text\/javascript|[\w\/+.-]*\s*;\s*base64\s*,|\s*,\s*(?:<|alert|%3c))/i },
  { id: "xss.css_script", weight: 0.85, re: /expression\s*\(|url\s*\(\s*["']?\s*(?:javascript|vbscript|livescript)\b|-moz-binding\s*:|\bbehavior\s*:\s*url|@import\s*['"(u\\]|<\s*style[^>]{0,500}>[^<]{0,5000}@im/i },
  { id: "xss.js_sink", weight: 0.8, re: /(?<![\/\w-])(?:document\s*\.\s*(?:cookie|domain|write(?:ln)?|location|createElement|body|documentElement|forms|execCommand)|window\s*\.\s*(?:location|open|name|eval)|(?:top|parent|self|frames|opener)\s*\.\s*location|\.innerHTML|\.outerHTML|\.insertAdjacentHTML|\.parentNode|\.appendChild|String\s*\.\s*fromCharCode|constructor\s*\.\s*constructor|location\s*\.\s*(?:href|hash|search|replace|assign)\s*[=(])/i },
  { id: "xss.js_call", weight: 0.75, re: /(?:^|[^\w$.])(?:alert|prompt|confirm|eval|setTimeout|setInterval|execScript|msgbox|atob|btoa|Function|importScripts|fetch)\s*(?:\(|`)/i },
  // a sink called through a reference: (alert)(1), (0,eval)`x`, [1].find(alert), a=alert,a(1)
  { id: "xss.js_call", weight: 0.75, re: /\(\s*(?:0\s*,\s*)?(?:alert|prompt|confirm|eval)\s*\)(?:\(|`)|\.\s*(?:find|map|forEach|filter|some|every|then|call|apply|bind|reduce|sort)\s*\(\s*(?:alert|prompt|confirm|eval)\s*[,)]|(?:^|[^\w$.])([A-Za-z_$][\w$]{0,20})\s*=\s*(?:alert|prompt|confirm|eval)\s*[,;]\s*\1\s*(?:\(|`)/i },
  { id: "xss.js_property_access", weight: 0.8, re: /\b(?:self|window|top|parent|this|globalThis|document|frames)\s*(?:\/\*.*?\*\/\s*)*\)?\s*\[\s*(?:\/\*.*?\*\/\s*)*["'`]/i },
  { id: "xss.js_comment_access", weight: 0.8, re: /\b(?:document|window|self|top)\s*\/\*.*?\*\/\s*\.?\s*(?:\/\*.*?\*\/\s*)*\.?\s*(?:cookie|location|domain)/i },
  { id: "xss.tagged_template", weight: 0.75, re: /\.\s*(?:\/\*.*?\*\/\s*)*call\s*(?:\/\*.*?\*\/\s*)*`|`\s*\$\{\s*(?:alert|eval|prompt|confirm)\b/i },
  { id: "xss.template_injection", weight: 0.75, re: /\{\{[^{}]{0,200}?(?:constructor|alert|\$eval|\$on|toString|__proto__|prototype)[^{}]{0,200}\}\}/i },
  { id: "xss.jsfuck", weight: 0.8, re: /(?:[!+]\s*\[\s*\]\s*){3,}|(?:^|[=\s(])!!\s*\[\s*\]\s*$|\(\s*!\s*\[\s*\]\s*\+?\s*\[\s*\]\s*\)\s*\[/ },
  { id: "xss.utf7", weight: 0.8, re: /\+ADw-|\bADw-script|\+AD4-/ },
  { id: "xss.vml", weight: 0.8, re: /<\s*:?\s*vmlframe|<\s*v:\w+|urn:schemas-microsoft-com:vml/i },
  { id: "xss.xml_entity", weight: 0.7, re: /!ENTITY\s+%?\s*[\w-]+\s+(?:SYSTEM|PUBLIC)\b/i },
  { id: "xss.script_tag", weight: 0.9, re: /<\s*(?:[\w-]+\s*:\s*)?script\b/i },
  { id: "xss.spaced_tag", weight: 0.7, re: /<\s*[a-z](?:\s+[a-z]){3,}\b/i },
  { id: "xss.event_handler", weight: 0.7, re: /(?:^|[\s"'`;\/])formaction\s*=/i },
  { id: "xss.ssi", weight: 0.8, re: /<!--\s*#\s*(?:exec|echo|include|set|config|printenv)\b/i },
  { id: "xss.import_implementation", weight: 0.8, re: /<\s*\??\s*import\s*implementation/i },
  // IE's XML namespace declaration binding HTML+TIME/VML behaviours: <?xml:namespace prefix="t" ns="urn:…">
  { id: "xss.xml_namespace", weight: 0.6, re: /<\s*\?\s*xml\s*:\s*namespace\b/i },
  { id: "xss.js_dom_write", weight: 0.75, re: /\b(?:document|window)\s*\.\s*(?:querySelector(?:All)?|getElementById|getElementsBy\w+)\s*\([^)]*\)\s*\.\s*(?:textContent|innerText|innerHTML|outerHTML|src|href)\s*=/i },
  { id: "xss.js_import", weight: 0.6, re: /\bimport\s*(?:\{[^}]*\}|\*\s+as\s+\w+)\s*from\s*["']/i },
  { id: "xss.quote_break_tag", weight: 0.85, re: /["'`]\s*\/?\s*>\s*<\s*[a-z!\/]/i },
  { id: "xss.js_context_break", weight: 0.8, re: /["'`]\s*[;,)+-]\s*(?:alert|prompt|confirm|eval|document|window|top|self|fetch)\s*[.(\[`]/i },
];

/** Scores `text` for cross-site scripting. */
export function detectXss(text: string, opts?: DetectOptions): Detection {
  const hits = new Map<string, number>();
  const add = (h: Hit) => hits.set(h.id, Math.max(hits.get(h.id) ?? 0, h.weight));
  for (const view of xssViews(text)) {
    if (view.includes("<")) scanTags(view, add);
    for (const rule of TEXT_RULES) {
      if (rule.id === "xss.event_handler_known") {
        const m = rule.re.exec(view);
        if (m && EVENT_NAMES.test(m[1]!)) add(rule);
        continue;
      }
      if (rule.re.test(view)) add(rule);
    }
  }
  const rules = [...hits.keys()];
  const score = combine([...hits.values()]);
  return { flagged: score >= threshold(opts), score, rules };
}

// Shapes of the imported CRS rules (written by scripts/crs-import.ts into rules.generated.ts).
export interface CrsTargetSpec {
  /** ARGS, ARGS_NAMES, REQUEST_COOKIES, REQUEST_COOKIES_NAMES, REQUEST_HEADERS, REQUEST_FILENAME, REQUEST_BASENAME, XML, MATCHED_VARS, TX */
  collection: string;
  /** The key after ':' (REQUEST_HEADERS:User-Agent), lower-cased for headers; a /regex/ key stays as written. */
  key?: string;
  /** `!REQUEST_HEADERS:Cookie`: removes targets. */
  exclude?: boolean;
}

export interface CrsOperatorSpec {
  name: string;
  negated: boolean;
  /** Operator argument as written (after the config parser's \" unescaping). */
  arg: string;
  /** @rx: the JavaScript source and flags. */
  js?: { source: string; flags: string };
  /** @pm / @pmFromFile: the phrases. */
  phrases?: string[];
}

export interface CrsRuleSpec {
  id: number;
  paranoiaLevel: number;
  family: "xss" | "sqli";
  severity: string;
  msg: string;
  targets: CrsTargetSpec[];
  operator: CrsOperatorSpec;
  transformations: string[];
  multiMatch: boolean;
  /** Tagged xss-perf-disable: REQUEST_FILENAME is not scanned when the path has only plain characters (rule 941010). */
  perfDisable: boolean;
  /** Set (with the measurement) when V8's backtracking engine goes polynomial on this rule's pattern: the engine runs it with re2js. */
  linearEngine?: string;
  capture: boolean;
  chain: CrsChainSpec[];
  /** Source line in the .conf file. */
  line: number;
  file: string;
}

export interface CrsChainSpec {
  targets: CrsTargetSpec[];
  operator: CrsOperatorSpec;
  transformations: string[];
  capture: boolean;
}


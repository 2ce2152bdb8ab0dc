// The CRS paranoia levels, apart from the rules: the organisation policy (policies.ts) needs them
// without loading the rules, the regex engines and the detectors (detect/crs/index.ts).

export const MIN_PARANOIA_LEVEL = 1;
export const MAX_PARANOIA_LEVEL = 4;

/**
 * Guardian's default paranoia level: 1, CRS's own default. Level 2 was the intended default (it
 * raises recall on CRS's SQLi/XSS regression attacks, as sent, from 89.1 % to 97.5 %), but
 * measured on the product's own kind of text it blocks ordinary input: "Q3 -- final" (942440, SQL
 * comment), "Sales & Marketing <EU>" (942131, comparison), "fix the date format (DD/MM/YYYY)"
 * (942410/942150, function name + parenthesis), JSON-ish text in a field (942200/942340/942430),
 * 5 of the 55 hand-written product inputs in benign-samples.ts against none at level 1, and 28.6 %
 * of CRS's own clean benign rows against 4.8 % (0.0 % without the rows that are injections all
 * the same). Every level is one policy change away (Settings → Security policy, or PATCH
 * /api/v1/policies {"paranoiaLevel": 2}); bench/RESULTS.md has the figures per level.
 */
export const DEFAULT_PARANOIA_LEVEL = 1;

/**
 * The extcap sentence grammar, printed from one place.
 *
 * Wireshark's parser (4.0 `extcap_parser.c`) reads `{key=value}` where a value ends at the first `}` that is
 * followed by `{`, whitespace or the end of the line, with no escaping. So a value must not contain `}{` or a
 * `}` before whitespace, and must stay on one line; everything else (including `{`/`}` inside validation
 * regexes) passes through untouched.
 */

export type SentenceKind = 'extcap' | 'interface' | 'dlt' | 'arg' | 'value';

/** One `{key=value}` pair; `undefined` values are left out so optional keys can be written inline. */
export type SentenceParam = readonly [key: string, value: string | number | boolean | undefined];

/** Makes text safe as a parameter value: one line, and no `}` that Wireshark would take as the end. */
export function sentenceValue(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\}(?=[{\s])/g, ')');
}

/** One sentence line (without the newline), e.g. `dlt {number=1}{name=EN10MB}{display=Ethernet}`. */
export function sentence(kind: SentenceKind, params: readonly SentenceParam[]): string {
  let line = kind;
  let first = true;
  for (const [key, value] of params) {
    if (value === undefined) continue;
    line += `${first ? ' ' : ''}{${key}=${sentenceValue(String(value))}}`;
    first = false;
  }
  return line;
}

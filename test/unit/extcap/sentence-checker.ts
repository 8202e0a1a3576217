/**
 * A checker for extcap output, built from Wireshark 4.0's parser (`extcap_parser.c`, anchors §1.2): the same
 * sentence and parameter regexes, the same required keys, the 4.0 list of arg types. It returns what Wireshark
 * would keep, and every reason it would drop or mis-read something. Not a test file itself: the unit and e2e
 * tests import it.
 */

/** `^[\t| ]*(arg|value|interface|extcap|dlt|control)(?=[\t| ]+\{)`, case-insensitive. */
const SENTENCE = /^[\t| ]*(arg|value|interface|extcap|dlt|control)(?=[\t| ]+\{)/i;
/** `\{([a-zA-Z_-]*?)\=(.*?)\}(?=\{|$|\s)`: a value ends at the first `}` before `{`, end or whitespace. */
const PARAM = /\{([a-zA-Z_-]*?)=(.*?)\}(?=\{|$|\s)/g;
/** EXTCAP_BOOLEAN_REGEX: true if it matches, false otherwise. */
const BOOLEAN_TRUE = /^.*([yt1-9])/i;

/** Arg types Wireshark 4.0 accepts (`editselector` came later: a 4.0 parser drops such an arg). */
export const ARG_TYPES_4_0 = new Set([
  'integer', 'unsigned', 'long', 'double', 'boolean', 'boolflag', 'string', 'password',
  'fileselect', 'selector', 'radio', 'multicheck', 'timestamp',
]);
const BOOLEAN_KEYS = new Set(['default', 'required', 'save', 'reload', 'mustexist', 'enabled']);

export interface Sentence {
  kind: string;
  /** Keys lower-cased (Wireshark compares them case-insensitively); the last one wins. */
  params: Map<string, string>;
  line: string;
}

export interface CheckResult {
  sentences: Sentence[];
  /** Lines Wireshark would treat as debug text (not sentences). */
  ignored: string[];
  /** Problems: dropped sentences, values cut short, duplicate numbers, unknown types. Empty = clean. */
  problems: string[];
}

export const isTrue = (value: string): boolean => BOOLEAN_TRUE.test(value);

/** Parses and checks extcap output the way Wireshark 4.0 reads it. */
export function checkExtcapOutput(text: string): CheckResult {
  const result: CheckResult = { sentences: [], ignored: [], problems: [] };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const m = SENTENCE.exec(line);
    if (!m) {
      result.ignored.push(line);
      continue;
    }
    const kind = (m[1] as string).toLowerCase();
    const rest = line.slice(m[0].length);
    const params = new Map<string, string>();
    let rebuilt = '';
    for (const p of rest.matchAll(PARAM)) {
      params.set((p[1] as string).toLowerCase(), p[2] as string);
      rebuilt += p[0];
    }
    // If the parameters do not cover the whole rest of the line, a value was cut short or text got lost.
    if (rebuilt !== rest.trim()) result.problems.push(`parameters do not cover the line: ${line}`);
    result.sentences.push({ kind, params, line });
  }
  checkSemantics(result);
  return result;
}

function need(s: Sentence, keys: string[], problems: string[]): boolean {
  const missing = keys.filter((k) => !s.params.get(k));
  if (missing.length > 0) problems.push(`${s.kind} without ${missing.join(', ')} is dropped: ${s.line}`);
  return missing.length === 0;
}

function checkSemantics(result: CheckResult): void {
  const problems = result.problems;
  const argNumbers = new Map<number, string>();
  for (const s of result.sentences) {
    switch (s.kind) {
      case 'interface':
        need(s, ['value', 'display'], problems);
        break;
      case 'dlt':
        if (need(s, ['number', 'name', 'display'], problems) && !/^\d+$/.test(s.params.get('number') as string)) {
          problems.push(`dlt number is not a number: ${s.line}`);
        }
        break;
      case 'arg': {
        if (!need(s, ['number', 'call', 'display', 'type'], problems)) break;
        const number = s.params.get('number') as string;
        if (!/^\d+$/.test(number)) problems.push(`arg number is not a number: ${s.line}`);
        else if (argNumbers.has(Number(number))) problems.push(`arg number ${number} used twice`);
        else argNumbers.set(Number(number), s.params.get('type') as string);
        const type = (s.params.get('type') as string).toLowerCase();
        if (!ARG_TYPES_4_0.has(type)) problems.push(`arg type "${type}" is unknown to Wireshark 4.0: ${s.line}`);
        const range = s.params.get('range');
        if (range !== undefined && !/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/.test(range)) problems.push(`bad range "${range}"`);
        for (const key of BOOLEAN_KEYS) {
          const v = s.params.get(key);
          const booleanKey = key !== 'default' || type === 'boolean' || type === 'boolflag';
          if (v !== undefined && booleanKey && !/^(true|false)$/i.test(v)) problems.push(`${key}=${v} is not true/false`);
        }
        break;
      }
      case 'value': {
        if (!need(s, ['arg', 'value', 'display'], problems)) break;
        const arg = Number(s.params.get('arg'));
        if (!argNumbers.has(arg)) problems.push(`value for unknown arg ${arg} is dropped: ${s.line}`);
        break;
      }
      case 'extcap':
      case 'control':
        break;
    }
  }
}

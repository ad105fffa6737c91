/*
 * Where a JSON text stops being JSON, without quoting any of it: the line
 * and column of the first character that breaks the grammar, and what was
 * expected there. JSON.parse's own messages quote the text around the error,
 * and a manifest may hold a credential; a parse error lands in postures, the
 * database and logs. One linear pass with an explicit stack (no recursion).
 */

export interface JsonErrorLocation {
  line: number;
  column: number;
  expected: string;
}

const WS = new Set([' ', '\t', '\n', '\r']);

export function locateJsonError(text: string): JsonErrorLocation {
  let i = 0;
  const at = (expected: string): JsonErrorLocation => {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < i && k < text.length; k++) {
      if (text[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    return { line, column: i - lineStart + 1, expected };
  };
  const skip = () => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return true;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
      } else if (c < ' ') return false;
      else i++;
    }
    return false;
  };
  const literal = (): boolean => {
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return true;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
      text.slice(i, i + 400),
    );
    if (m && m[0].length > 0) {
      i += m[0].length;
      return true;
    }
    return false;
  };
  let nameStarted = false;
  const propertyName = () => {
    nameStarted = text[i] === '"';
    return string();
  };
  const nameExpected = () =>
    nameStarted
      ? 'a complete string with valid escapes'
      : 'a property name in double quotes';
  // What comes next: a value, or inside an object/array a separator.
  const stack: Array<'{' | '['> = [];
  let expectValue = true;
  for (;;) {
    skip();
    if (expectValue) {
      const c = text[i];
      if (c === '{') {
        i++;
        skip();
        if (text[i] === '}') {
          i++;
          expectValue = false;
          continue;
        }
        if (!propertyName()) return at(nameExpected());
        skip();
        if (text[i] !== ':') return at("':'");
        i++;
        stack.push('{');
        continue;
      }
      if (c === '[') {
        i++;
        skip();
        if (text[i] === ']') {
          i++;
          expectValue = false;
          continue;
        }
        stack.push('[');
        continue;
      }
      if (c === '"') {
        if (!string()) return at('a complete string with valid escapes');
      } else if (!literal()) return at('a value');
      expectValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (!top) {
      if (i < text.length) return at('the end of the text');
      return at('nothing: the text is valid JSON');
    }
    const c = text[i];
    if (c === ',') {
      i++;
      if (top === '{') {
        skip();
        if (!propertyName()) return at(nameExpected());
        skip();
        if (text[i] !== ':') return at("':'");
        i++;
      }
      expectValue = true;
      continue;
    }
    if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
      i++;
      stack.pop();
      continue;
    }
    return at(top === '{' ? "',' or '}'" : "',' or ']'");
  }
}

'use strict';
// A strict reader for the YAML that `helm template` and values files contain: block mappings and sequences, plain
// and quoted scalars (also folded over several lines), block scalars (| and >), simple flow collections and
// multi-document streams. Anchors, aliases, tags and complex keys are rejected rather than misread, so a chart change
// that needs them fails loudly here instead of passing unchecked. Node has no YAML parser and CI installs nothing.

class YamlError extends Error {
  constructor(message, line) {
    super(line === undefined ? message : `line ${line + 1}: ${message}`);
  }
}

function parseDocuments(text) {
  const docs = [];
  let current = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const flush = (start) => {
    const doc = parseDocument(current, start);
    if (doc !== undefined) docs.push(doc);
    current = [];
  };
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/^---(\s.*)?$/.test(lines[i])) {
      flush(start);
      start = i + 1;
      continue;
    }
    if (/^\.\.\.\s*$/.test(lines[i])) continue;
    current.push(lines[i]);
  }
  flush(start);
  return docs;
}

function parse(text) {
  const docs = parseDocuments(text);
  if (docs.length > 1) throw new YamlError('expected one document, found ' + docs.length);
  return docs.length === 0 ? null : docs[0];
}

// Returns undefined for a document with nothing but comments and blank lines.
function parseDocument(lines, offset) {
  const p = new Parser(lines, offset);
  p.skipBlank();
  if (p.i >= lines.length) return undefined;
  const value = p.parseNode(p.indentOf(p.i));
  p.skipBlank();
  if (p.i < lines.length) throw new YamlError('unexpected content (bad indentation?)', offset + p.i);
  return value;
}

class Parser {
  constructor(lines, offset) {
    this.lines = lines;
    this.offset = offset;
    this.i = 0;
  }

  fail(message, i = this.i) {
    throw new YamlError(message, this.offset + i);
  }

  isBlank(i) {
    const t = this.lines[i].trim();
    return t === '' || t.startsWith('#');
  }

  skipBlank() {
    while (this.i < this.lines.length && this.isBlank(this.i)) this.i++;
  }

  indentOf(i) {
    const m = /^( *)/.exec(this.lines[i]);
    if (this.lines[i].startsWith('\t')) this.fail('tab indentation', i);
    return m[1].length;
  }

  // Parses the block node whose first line is this.i, at exactly `indent`.
  parseNode(indent) {
    const text = this.lines[this.i].slice(indent);
    if (text === '-' || text.startsWith('- ')) return this.parseSequence(indent);
    if (keyMatch(text)) return this.parseMapping(indent);
    // A bare scalar document or nested value.
    const value = this.scalarWithContinuation(text, indent - 1);
    return value;
  }

  parseSequence(indent) {
    const out = [];
    while (true) {
      this.skipBlank();
      if (this.i >= this.lines.length) break;
      const ind = this.indentOf(this.i);
      if (ind < indent) break;
      if (ind > indent) this.fail('bad indentation in sequence');
      const text = this.lines[this.i].slice(indent);
      if (!(text === '-' || text.startsWith('- '))) break;
      const rest = text === '-' ? '' : text.slice(2);
      const restTrim = stripComment(rest).trim();
      if (restTrim === '') {
        this.i++;
        this.skipBlank();
        if (this.i >= this.lines.length || this.indentOf(this.i) <= indent) {
          out.push(null);
        } else {
          out.push(this.parseNode(this.indentOf(this.i)));
        }
        continue;
      }
      // "- key: value" or "- - x" or "- scalar": re-read the remainder as a node indented at the item's content column.
      const contentIndent = indent + 2 + (rest.length - rest.trimStart().length);
      const inner = rest.trimStart();
      if (keyMatch(inner) || inner === '-' || inner.startsWith('- ')) {
        this.lines[this.i] = ' '.repeat(contentIndent) + inner;
        out.push(this.parseNode(contentIndent));
      } else {
        out.push(this.scalarWithContinuation(inner, indent));
      }
    }
    return out;
  }

  parseMapping(indent) {
    const out = {};
    while (true) {
      this.skipBlank();
      if (this.i >= this.lines.length) break;
      const ind = this.indentOf(this.i);
      if (ind < indent) break;
      if (ind > indent) this.fail('bad indentation in mapping');
      const text = this.lines[this.i].slice(indent);
      const m = keyMatch(text);
      if (!m) break;
      const key = m.key;
      if (Object.prototype.hasOwnProperty.call(out, key)) this.fail(`duplicate key "${key}"`);
      const rest = stripComment(m.rest).trim();
      if (rest === '') {
        this.i++;
        this.skipBlank();
        if (this.i >= this.lines.length) {
          out[key] = null;
          break;
        }
        const next = this.indentOf(this.i);
        const nextText = this.lines[this.i].slice(next);
        if (next > indent) {
          out[key] = this.parseNode(next);
        } else if (next === indent && (nextText === '-' || nextText.startsWith('- '))) {
          out[key] = this.parseSequence(indent);
        } else {
          out[key] = null;
        }
      } else if (/^[|>]/.test(rest)) {
        out[key] = this.blockScalar(rest, indent);
      } else {
        out[key] = this.scalarWithContinuation(m.rest.trim(), indent);
      }
    }
    return out;
  }

  // Block scalar after "key: |" at `indent`; consumes its lines.
  blockScalar(header, indent) {
    const h = /^([|>])([-+]?)([1-9]?)([-+]?)$/.exec(header);
    if (!h) this.fail(`unsupported block scalar header "${header}"`);
    const folded = h[1] === '>';
    const chomp = h[2] || h[4] || '';
    this.i++;
    const body = [];
    let blockIndent = h[3] ? indent + Number(h[3]) : -1;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.trim() === '') {
        body.push('');
        this.i++;
        continue;
      }
      const ind = /^( *)/.exec(line)[1].length;
      if (blockIndent < 0) {
        if (ind <= indent) break;
        blockIndent = ind;
      }
      if (ind < blockIndent) break;
      body.push(line.slice(blockIndent));
      this.i++;
    }
    // Trailing blank lines belong to chomping, not content.
    let trailing = 0;
    while (body.length > 0 && body[body.length - 1] === '') {
      body.pop();
      trailing++;
    }
    let text;
    if (folded) {
      text = '';
      for (let k = 0; k < body.length; k++) {
        const l = body[k];
        if (k === 0) text = l;
        else if (l === '' || l.startsWith(' ') || body[k - 1] === '' || body[k - 1].startsWith(' ')) text += '\n' + l;
        else text += ' ' + l;
      }
    } else {
      text = body.join('\n');
    }
    if (body.length === 0) return '';
    if (chomp === '-') return text;
    if (chomp === '+') return text + '\n'.repeat(trailing + 1);
    return text + '\n';
  }

  // A scalar starting with `first` on line this.i; a plain or quoted scalar may continue on following lines that are
  // indented deeper than `parentIndent` (the emitter folds long strings).
  scalarWithContinuation(first, parentIndent) {
    let text = first;
    const start = this.i;
    this.i++;
    const c = text[0];
    if (c === '"' || c === "'") {
      while (!quotedComplete(text)) {
        if (this.i >= this.lines.length) this.fail('unterminated quoted string', start);
        const cont = this.lines[this.i].trim();
        text = text.replace(/\s+$/, '') + (cont === '' ? '\n' : ' ' + cont);
        this.i++;
      }
      return parseScalar(text, this.offset + start);
    }
    if (c === '[' || c === '{') return parseScalar(text, this.offset + start);
    text = stripComment(text).trim();
    while (this.i < this.lines.length && !this.isBlank(this.i) && this.indentOf(this.i) > parentIndent) {
      const cont = this.lines[this.i].trim();
      if (keyMatch(cont) || cont.startsWith('- ')) break;
      text += ' ' + stripComment(cont).trim();
      this.i++;
    }
    return parseScalar(text, this.offset + start);
  }
}

function quotedComplete(text) {
  const q = text[0];
  let k = 1;
  while (k < text.length) {
    if (q === '"' && text[k] === '\\') {
      k += 2;
      continue;
    }
    if (text[k] === q) {
      if (q === "'" && text[k + 1] === "'") {
        k += 2;
        continue;
      }
      const after = stripComment(text.slice(k + 1)).trim();
      if (after !== '') throw new YamlError(`text after closing quote: ${text}`);
      return true;
    }
    k++;
  }
  return false;
}

// "key: rest" with a plain or quoted key; null when the line is not a mapping entry.
function keyMatch(text) {
  let m = /^"((?:[^"\\]|\\.)*)":(?:\s(.*))?$/.exec(text) || /^"((?:[^"\\]|\\.)*)":$/.exec(text);
  if (m) return { key: JSON.parse('"' + m[1] + '"'), rest: m[2] || '' };
  m = /^'((?:[^']|'')*)':(?:\s(.*))?$/.exec(text);
  if (m) return { key: m[1].replace(/''/g, "'"), rest: m[2] || '' };
  m = /^([^\s#'"\-[\]{},&*!|>%@`?][^#]*?|-[^\s#][^#]*?)\s*:(?:\s+(.*))?$/.exec(text);
  if (m && !m[1].includes(': ')) return { key: m[1], rest: m[2] || '' };
  if (/^\?\s/.test(text)) throw new YamlError('complex keys are not supported');
  return null;
}

function stripComment(text) {
  let q = null;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (q) {
      if (q === '"' && ch === '\\') k++;
      else if (ch === q) q = null;
    } else if ((ch === '"' || ch === "'") && (k === 0 || /[\s[{,:]/.test(text[k - 1]))) {
      q = ch;
    } else if (ch === '#' && (k === 0 || /\s/.test(text[k - 1]))) {
      return text.slice(0, k);
    }
  }
  return text;
}

function parseScalar(raw, line) {
  const text = raw.trim();
  if (text.startsWith('"')) return JSON.parse(text.replace(/\n/g, '\\n').replace(/\t/g, '\\t'));
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text.startsWith('[') || text.startsWith('{')) return parseFlow(text, line);
  if (/^[&*!]/.test(text)) throw new YamlError(`anchors, aliases and tags are not supported: ${text}`, line);
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^0[0-7]+$/.test(text)) return parseInt(text, 8);
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(text) || /^[-+]?[0-9]+[eE][-+]?[0-9]+$/.test(text)) {
    return Number(text);
  }
  return text;
}

// Flow collections: JSON, or YAML flow with plain scalars ([a, b], {k: v}).
function parseFlow(text, line) {
  try {
    return JSON.parse(text);
  } catch {
    // fall through to the YAML flow reader
  }
  let k = 0;
  const ws = () => {
    while (k < text.length && /\s/.test(text[k])) k++;
  };
  const value = () => {
    ws();
    const ch = text[k];
    if (ch === '[') {
      k++;
      const arr = [];
      ws();
      if (text[k] === ']') {
        k++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[k] === ',') {
          k++;
          ws();
          if (text[k] === ']') {
            k++;
            return arr;
          }
          continue;
        }
        if (text[k] === ']') {
          k++;
          return arr;
        }
        throw new YamlError(`bad flow sequence: ${text}`, line);
      }
    }
    if (ch === '{') {
      k++;
      const obj = {};
      ws();
      if (text[k] === '}') {
        k++;
        return obj;
      }
      for (;;) {
        const key = scalarToken(':');
        if (text[k] !== ':') throw new YamlError(`bad flow mapping: ${text}`, line);
        k++;
        obj[key] = value();
        ws();
        if (text[k] === ',') {
          k++;
          continue;
        }
        if (text[k] === '}') {
          k++;
          return obj;
        }
        throw new YamlError(`bad flow mapping: ${text}`, line);
      }
    }
    return parseScalar(scalarToken(''), line);
  };
  const scalarToken = (extraStop) => {
    ws();
    const q = text[k];
    if (q === '"' || q === "'") {
      const s = k;
      k++;
      while (k < text.length && text[k] !== q) k += text[k] === '\\' && q === '"' ? 2 : 1;
      k++;
      return parseScalar(text.slice(s, k), line);
    }
    const s = k;
    while (k < text.length && !',]}'.includes(text[k]) && !(extraStop && text[k] === extraStop)) k++;
    return text.slice(s, k).trim();
  };
  const result = value();
  ws();
  if (k !== text.length) throw new YamlError(`text after flow collection: ${text}`, line);
  return result;
}

module.exports = { parse, parseDocuments, YamlError };

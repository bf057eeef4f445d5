// RFC 4180 CSV reading for seeds: quoted fields with doubled quotes and embedded newlines, CRLF or LF
// line ends, a leading byte-order mark; every record keeps the line it started on for error messages.
import { SeedParseError } from './errors.js';

/** One parsed CSV: the header and the data records, each with its 1-based starting line. */
export interface CsvDocument {
  readonly header: readonly string[];
  readonly records: readonly CsvRecord[];
}

/** One data record; `line` is where the record starts in the file (1-based). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  /** Field separator, one character; dbt's seed `delimiter` config (default `,`). */
  readonly delimiter?: string;
  /** File named in error messages. */
  readonly file?: string;
}

/**
 * Parses CSV text into a header and records. Blank lines are skipped (as Python's csv reader hands
 * agate empty rows that it drops); a record shorter than the header is padded with empty fields,
 * a longer one is refused.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvDocument {
  const file = options.file ?? '<seed>';
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new SeedParseError(file, undefined, `delimiter ${JSON.stringify(delimiter)} must be one character other than a quote or a line break`);
  }
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = splitRecords(src, delimiter, file);
  const first = rows.shift();
  if (first === undefined) throw new SeedParseError(file, 1, 'the file is empty; a seed needs at least a header row');
  const header = first.fields.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '') throw new SeedParseError(file, first.line, `column ${i + 1} has no name; give every column a header`);
    if (seen.has(name)) throw new SeedParseError(file, first.line, `column name "${name}" appears twice; rename one of them`);
    seen.add(name);
  });
  const records = rows.map((r) => {
    if (r.fields.length > header.length) {
      throw new SeedParseError(file, r.line, `the row has ${r.fields.length} fields but the header has ${header.length}; quote fields that contain "${delimiter}"`);
    }
    const fields = r.fields.length < header.length ? [...r.fields, ...new Array<string>(header.length - r.fields.length).fill('')] : r.fields;
    return { line: r.line, fields };
  });
  return { header, records };
}

function splitRecords(src: string, delimiter: string, file: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  // A record made only of one unquoted empty field is a blank line.
  let fieldWasQuoted = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldWasQuoted)) out.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldWasQuoted = false;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      fieldWasQuoted = true;
      quoteLine = line;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      fieldWasQuoted = false;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) throw new SeedParseError(file, quoteLine, 'a quoted field is never closed; add the closing double quote');
  if (field !== '' || fields.length > 0 || fieldWasQuoted) endRecord();
  return out;
}

/**
 * RFC 4180 CSV parsing for the builtin user import: quoted fields, `""` escapes, commas and line breaks inside
 * quotes, CRLF or LF line ends, an optional UTF-8 BOM. Each record remembers the line it started on so the
 * validation report can point at it.
 */

export interface CSVRecord {
  /** 1-based line number where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export type CSVParseResult = { ok: true; records: CSVRecord[] } | { ok: false; line: number; message: string };

export function parseCSV(text: string, options: { maxRecords: number }): CSVParseResult {
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: CSVRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quotedField = false;
  let i = 0;

  const endField = (): void => {
    fields.push(field);
    field = "";
    quotedField = false;
  };
  const endRecord = (): void => {
    endField();
    // A blank line (one empty unquoted field) is not a record.
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
  };

  while (i < input.length) {
    const ch = input[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      if (ch === "\n") line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (field !== "" || quotedField) return { ok: false, line, message: "A quote may only start a field." };
      inQuotes = true;
      quotedField = true;
      i++;
      continue;
    }
    if (quotedField && ch !== "," && ch !== "\n" && ch !== "\r") {
      return { ok: false, line, message: "Text after a closing quote." };
    }
    if (ch === ",") {
      endField();
      i++;
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      endRecord();
      if (records.length > options.maxRecords) {
        return { ok: false, line, message: `More than ${options.maxRecords - 1} rows.` };
      }
      i += ch === "\r" && input[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += ch;
    i++;
  }
  if (inQuotes) return { ok: false, line: recordLine, message: "A quoted field is not closed." };
  if (field !== "" || fields.length > 0 || quotedField) endRecord();
  if (records.length > options.maxRecords)
    return { ok: false, line, message: `More than ${options.maxRecords - 1} rows.` };
  return { ok: true, records };
}

/**
 * CSV parsed as a stream with Papa Parse (several times faster than the alternatives here). The
 * input is paused while a batch waits to be taken, so memory holds about one batch, whatever the
 * size of the file.
 *
 * The file is read as it is: its first bytes (a sample of at least 64 KiB and 10 lines) decide the
 * text encoding (a byte-order mark, else UTF-8 when the sample is valid UTF-8, else windows-1252)
 * and the delimiter; the bytes are then decoded as one stream (WHATWG TextDecoderStream), so a
 * character split across network chunks or upload pieces survives, and the byte-order mark is
 * gone before the parser sees the header. Bytes invalid in the encoding stop the read with a
 * sentence saying so, never a silent U+FFFD.
 */
// @ts-types="npm:@types/papaparse@5.5.2"
import Papa from "papaparse";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { ApiError } from "../lib/http/errors.ts";
import { warn } from "./warnings.ts";

/** The delimiters a file may use, in the order a tie is settled. */
export const DELIMITERS = [",", ";", "\t", "|"] as const;

const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_LINES = 11;
const SAMPLE_MAX_BYTES = 4 * 1024 * 1024;

/** How to read a file: either field may be set by the connector's config, else it is detected. */
export interface CsvOptions {
  delimiter?: string;
  /** A WHATWG Encoding label (`utf-8`, `windows-1252`, `utf-16le`, …). */
  encoding?: string;
}

/** A file being read: what was used to read it, and its records in batches, header first. */
export interface CsvRead {
  delimiter: string;
  encoding: string;
  batches: AsyncGenerator<string[][]>;
}

/** True when `label` names an encoding the runtime decodes (the config's `encoding`). */
export function isEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** The first bytes of `bytes`, whether that was all, and a stream of the whole file (those bytes first). */
async function sample(
  bytes: ReadableStream<Uint8Array>,
): Promise<{ head: Uint8Array; ended: boolean; whole: ReadableStream<Uint8Array> }> {
  const reader = bytes.getReader();
  const pieces: Uint8Array[] = [];
  let size = 0;
  let lines = 0;
  let ended = false;
  while (size < SAMPLE_MAX_BYTES && (size < SAMPLE_BYTES || lines < SAMPLE_LINES)) {
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    pieces.push(value);
    size += value.byteLength;
    for (let i = value.indexOf(10); i >= 0; i = value.indexOf(10, i + 1)) lines++;
  }
  const head = new Uint8Array(size);
  let offset = 0;
  for (const piece of pieces) {
    head.set(piece, offset);
    offset += piece.byteLength;
  }
  const whole = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.byteLength) controller.enqueue(head);
      if (ended) controller.close();
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { head, ended, whole };
}

/** The encoding of a file from its first bytes: a byte-order mark, else UTF-8 if valid, else windows-1252. */
function detectEncoding(head: Uint8Array): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return "utf-8";
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  try {
    // `stream: true` lets the sample end in the middle of a character.
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
    return "utf-8";
  } catch {
    return "windows-1252";
  }
}

/**
 * The delimiter that splits the sample's records (quotes respected, by Papa Parse) into the same
 * number of fields, more than one; of several, the one giving the most fields; `,` when none does.
 */
export function detectDelimiter(text: string, complete: boolean): string {
  let best = { delimiter: ",", fields: 1 };
  for (const delimiter of DELIMITERS) {
    const rows = Papa.parse<string[]>(text, { delimiter, preview: SAMPLE_LINES, skipEmptyLines: true }).data;
    // The last record of a cut sample may be cut too.
    const whole = !complete && rows.length > 1 ? rows.slice(0, -1) : rows;
    const fields = whole[0]?.length ?? 0;
    if (fields > best.fields && whole.every((row) => row.length === fields)) best = { delimiter, fields };
  }
  return best.delimiter;
}

/** Reads CSV bytes: detects what the options leave unset, then parses as the bytes arrive. */
export async function readCsv(bytes: ReadableStream<Uint8Array>, options: CsvOptions = {}): Promise<CsvRead> {
  const { head, ended, whole } = await sample(bytes);
  const encoding = options.encoding ?? detectEncoding(head);
  if (!options.encoding && encoding === "windows-1252") {
    warn({
      code: "encoding_detected",
      message: "The file is not UTF-8, so it was read as windows-1252 (Western European). If letters look " +
        "wrong, set the file's encoding in the connector's config (encoding).",
    });
  }
  let delimiter = options.delimiter;
  if (!delimiter) {
    const text = new TextDecoder(encoding).decode(head, { stream: true });
    delimiter = detectDelimiter(text, ended);
  }
  // The label was checked by the config; fatal, so that an invalid byte is an error, not U+FFFD.
  const decoder = new TextDecoderStream(encoding, { fatal: true }) as unknown as TransformStream<Uint8Array, string>;
  const text = whole.pipeThrough(decoder);
  return { delimiter, encoding, batches: parse(text, delimiter, encoding) };
}

/** Batches of records from CSV text. */
async function* parse(text: ReadableStream<string>, delimiter: string, encoding: string): AsyncGenerator<string[][]> {
  const input = Readable.fromWeb(text as unknown as NodeWebStream);
  const batches: string[][][] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let parser: Papa.Parser | undefined;
  input.on("error", (error) => {
    failure = error;
    wake?.();
  });
  Papa.parse<string[]>(input as unknown as File, {
    delimiter,
    skipEmptyLines: true,
    chunk(results, p) {
      parser = p;
      // A piece of a long line holds no whole record yet: nothing to hand on.
      if (results.data.length === 0) return;
      p.pause();
      batches.push(results.data);
      wake?.();
    },
    complete() {
      done = true;
      wake?.();
    },
    error(error: Error) {
      failure = error;
      wake?.();
    },
  });
  try {
    while (true) {
      if (batches.length) {
        yield batches.shift()!;
        continue;
      }
      if (failure) throw readError(failure, encoding);
      if (done) return;
      const waiting = new Promise<void>((resolve) => wake = resolve);
      parser?.resume();
      await waiting;
      wake = undefined;
    }
  } finally {
    input.destroy();
  }
}

/** A read failure as the user should see it. */
function readError(failure: unknown, encoding: string): ApiError {
  if (failure instanceof ApiError) return failure;
  if (failure instanceof TypeError && /encod|decod/i.test(failure.message)) {
    return new ApiError(
      422,
      "unprocessable",
      `The file has bytes that are not valid ${encoding}: set the file's encoding in the connector's config ` +
        "(encoding, such as windows-1252 or utf-16le), or save the file as UTF-8",
    );
  }
  return new ApiError(422, "unprocessable", `Cannot read the CSV: ${(failure as Error)?.message ?? failure}`);
}

// Small buffers the executor feeds a child's output through: a capped tail kept in memory and a
// splitter that hands complete lines to the stream parsers.
import { StringDecoder } from 'node:string_decoder';

/** Keeps the last `capBytes` bytes written to it. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly capBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Drop whole chunks from the front while the rest still covers the cap.
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= this.capBytes) {
      this.size -= this.chunks.shift()?.length ?? 0;
      this.truncated = true;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    if (all.length <= this.capBytes) return all.toString('utf8');
    this.truncated = true;
    // A cut through a multi-byte character decodes to U+FFFD at the start; drop it.
    return all
      .subarray(all.length - this.capBytes)
      .toString('utf8')
      .replace(/^\uFFFD+/, '');
  }
}

/** A line longer than this is handed on in pieces rather than held in memory without bound. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** Splits a byte stream into lines (without their `\n` / `\r\n`), decoding UTF-8 across chunks. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let start = 0;
    let at = this.pending.indexOf('\n');
    while (at >= 0) {
      this.emit(this.pending.slice(start, at));
      start = at + 1;
      at = this.pending.indexOf('\n', start);
    }
    this.pending = this.pending.slice(start);
    if (this.pending.length > MAX_LINE_CHARS) {
      this.emit(this.pending);
      this.pending = '';
    }
  }

  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.length > 0) this.emit(this.pending);
    this.pending = '';
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

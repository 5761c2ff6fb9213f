/**
 * Where the hot log writers (the courier's and the functions' lines, two hundred thousand in a virtual
 * storm) put a line's pieces: straight into the log writer's block (LineEncoder), or into a string
 * (LineText) for a sink that takes strings. Putting pieces into the block leaves nothing for the garbage
 * collector, where joining strings and encoding the result left twice the line's size behind. One layout
 * per kind of line, written once against this interface, serves both.
 */
export interface LineOut {
  /** A fixed piece, encoded once (`fixed('...')`). */
  fixed(piece: FixedPiece): void;
  /** Text known to be ASCII: timestamps, the lab's own ids, numbers, names from a fixed set. */
  ascii(text: string): void;
  /** Any text, JSON already (a quoted string): written as UTF-8. */
  text(text: string): void;
  /** Any text as a JSON string: what `text(JSON.stringify(value))` writes. */
  quoted(value: string): void;
}

export interface FixedPiece {
  readonly text: string;
  readonly bytes: Uint8Array;
}

/** A piece of a line that never changes (keys and punctuation), with its bytes. */
export function fixed(text: string): FixedPiece {
  return { text, bytes: Buffer.from(text, 'utf8') };
}

export class LineText implements LineOut {
  value = '';

  fixed(piece: FixedPiece): void {
    this.value += piece.text;
  }

  ascii(text: string): void {
    this.value += text;
  }

  text(text: string): void {
    this.value += text;
  }

  quoted(value: string): void {
    this.value += JSON.stringify(value);
  }
}

/** Node's own encoders on Buffer, without the argument checks of `write()`. */
interface BufferWrites {
  utf8Write(text: string, offset: number): number;
}

/** Writes a line's pieces into a buffer from `at`; the log writer hands it its block. */
export class LineEncoder implements LineOut {
  block: Buffer = Buffer.alloc(0);
  at = 0;

  fixed(piece: FixedPiece): void {
    const bytes = piece.bytes;
    const n = bytes.length;
    // Most pieces are a few bytes: a loop beats the call into `set` for those.
    if (n > 32) {
      this.block.set(bytes, this.at);
      this.at += n;
      return;
    }
    const block = this.block;
    let at = this.at;
    for (let i = 0; i < n; i++) block[at++] = bytes[i]!;
    this.at = at;
  }

  ascii(text: string): void {
    const block = this.block;
    let at = this.at;
    for (let i = 0; i < text.length; i++) block[at++] = text.charCodeAt(i);
    this.at = at;
  }

  text(text: string): void {
    this.at += (this.block as unknown as BufferWrites).utf8Write(text, this.at);
  }

  /** Most values need no escape (ids, plain messages): those go in as they are, with their quotes. */
  quoted(value: string): void {
    const block = this.block;
    let at = this.at;
    block[at++] = 0x22;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.text(JSON.stringify(value));
        return;
      }
      block[at++] = c;
    }
    block[at++] = 0x22;
    this.at = at;
  }
}

/**
 * Writing a large response body without paying for fresh memory on every request.
 *
 * `res.end(string)` and `res.end(Buffer.from(string))` both encode the body into memory
 * allocated for that one response. For a body of tens of kilobytes or more that
 * allocation, not the encoding, is most of the cost: new pages are mapped and touched on
 * every request (on virtual machines a page fault is expensive), and they are given back
 * once the response is written. Measured on an 87 kB answer: about 1 ms with Buffer.from,
 * under 50 µs encoding into memory already in use. The strings JSON.stringify returns are
 * also often held two bytes per character (whenever one key or value in the result is),
 * which `Buffer.write` encodes slowly and TextEncoder's `encodeInto` quickly.
 *
 * So a body at least SMALL_BODY_CHARS long is encoded with `encodeInto` into a buffer
 * taken from a small free list, and the buffer goes back on the list once node:http has
 * handed every byte to the socket (the `end` callback: 'finish'). A response that never
 * finishes (the client went away) never gives its buffer back; the garbage collector
 * takes it like any other. Smaller bodies go through Buffer.from, whose allocations come
 * from node's shared 8 kB slab and cost nothing extra.
 */
import type { ServerResponse } from 'node:http';

/** Below this many characters, Buffer.from's shared slab is as good. */
const SMALL_BODY_CHARS = 4096;
/** Buffers sizes are multiples of this, so that a few sizes serve every body. */
const SIZE_STEP = 64 * 1024;
/** Buffers larger than this are not kept: one huge answer must not pin its memory. */
const LARGEST_KEPT = 8 * 1024 * 1024;
/** Free buffers kept: more than the responses usually written at the same moment. */
const MOST_KEPT = 64;

const encoder = new TextEncoder();
const free: Buffer[] = [];

function take(bytes: number): Buffer {
  for (let i = free.length - 1; i >= 0; i--) {
    const buffer = free[i]!;
    if (buffer.length >= bytes) {
      free[i] = free[free.length - 1]!;
      free.pop();
      return buffer;
    }
  }
  return Buffer.allocUnsafeSlow(Math.ceil(bytes / SIZE_STEP) * SIZE_STEP);
}

function giveBack(buffer: Buffer): void {
  if (buffer.length > LARGEST_KEPT) return;
  if (free.length < MOST_KEPT) {
    free.push(buffer);
    return;
  }
  // Full: keep the larger of the two, so that the list drifts towards buffers that fit every body.
  let smallest = 0;
  for (let i = 1; i < free.length; i++) if (free[i]!.length < free[smallest]!.length) smallest = i;
  if (free[smallest]!.length < buffer.length) free[smallest] = buffer;
}

/** Ends `res` with `body` encoded as UTF-8 (Content-Length follows from it). */
export function endWithBody(res: ServerResponse, body: string): void {
  if (body.length < SMALL_BODY_CHARS) {
    res.end(Buffer.from(body));
    return;
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit; JSON is nearly all ASCII, so try a buffer a little
  // larger than the text first and a sure one only when that was not enough.
  let buffer = take(body.length + (body.length >> 4) + 64);
  let result = encoder.encodeInto(body, buffer);
  if (result.read < body.length) {
    giveBack(buffer);
    buffer = take(body.length * 3);
    result = encoder.encodeInto(body, buffer);
  }
  const { written } = result;
  const held = buffer;
  // 'finish' only: a response that failed may still be referenced by a write in flight.
  res.end(held.subarray(0, written), (error?: Error | null) => {
    if (!error) giveBack(held);
  });
}

/** How many free buffers are kept now (for tests). */
export function keptResponseBuffers(): number {
  return free.length;
}

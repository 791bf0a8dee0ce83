/** The most recent `capacity` samples of a stream, kept without reallocating. */
export class RingBuffer {
  private readonly data: Float32Array;
  private written = 0;

  constructor(readonly capacity: number) {
    this.data = new Float32Array(Math.max(1, capacity));
  }

  push(samples: Float32Array): void {
    const n = this.data.length;
    const from = Math.max(0, samples.length - n); // only the last n can survive
    for (let i = from; i < samples.length; i++) this.data[(this.written + i - from) % n] = samples[i] as number;
    this.written += samples.length - from;
  }

  /** The samples held, oldest first (a new array, at most `capacity` long). */
  latest(): Float32Array {
    const n = this.data.length;
    if (this.written <= n) return this.data.slice(0, this.written);
    const start = this.written % n;
    const out = new Float32Array(n);
    out.set(this.data.subarray(start), 0);
    out.set(this.data.subarray(0, start), n - start);
    return out;
  }
}

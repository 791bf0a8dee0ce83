/**
 * A mel spectrogram of a stream, frame by frame, for the page's scrolling display: the frames are
 * those `MfccExtractor.melSpectrogram` (librosa's centred STFT) gives for the whole stream, computed
 * as audio arrives. No file system access.
 */
import type { Matrix } from "../dsp/matrix";
import type { MfccExtractor } from "../dsp/mfcc";

export class StreamingMelSpectrogram {
  /** Frames of context recomputed before the first new frame, so its window is complete. */
  private readonly contextFrames: number;
  private readonly hop: number;
  private readonly half: number;
  /** Samples kept, starting at absolute sample `bufferStart` (negative = the centring zeros). */
  private buffer: Float32Array;
  private bufferStart: number;
  private bufferLength = 0;
  /** Index of the next frame to emit; frame t is centred on sample t·hop. */
  private nextFrame = 0;

  /**
   * @param extractor  computes each batch of frames (its nFft, hopLength, nMels and rate apply)
   */
  constructor(private readonly extractor: MfccExtractor) {
    this.hop = extractor.config.hopLength;
    this.half = extractor.config.nFft >> 1;
    this.contextFrames = Math.ceil(this.half / this.hop);
    // the stream starts with the centring zeros of librosa's center=True
    this.bufferStart = -this.contextFrames * this.hop;
    this.buffer = new Float32Array(4 * extractor.config.nFft);
    this.bufferLength = this.contextFrames * this.hop;
  }

  /** Mel bands per frame. */
  get nMels(): number {
    return this.extractor.config.nMels;
  }

  /** Frames emitted so far. */
  get framesEmitted(): number {
    return this.nextFrame;
  }

  /**
   * Add mono samples; returns the frames they completed, as a mel power matrix
   * `[nMels][newFrames]` (newFrames may be 0). Frame t is complete once the stream holds sample
   * t·hop + nFft/2 − 1.
   */
  push(samples: Float32Array): Matrix {
    this.append(samples);
    const streamEnd = this.bufferStart + this.bufferLength; // absolute index one past the last sample
    const lastFrame = Math.floor((streamEnd - this.half) / this.hop);
    const count = lastFrame - this.nextFrame + 1;
    if (count <= 0) return { rows: this.nMels, cols: 0, data: new Float32Array(0) };
    // the segment's frame j is centred on absolute sample a + j·hop, with a = (nextFrame − context)·hop
    const a = (this.nextFrame - this.contextFrames) * this.hop;
    const b = lastFrame * this.hop + this.half;
    const segment = this.buffer.subarray(a - this.bufferStart, b - this.bufferStart);
    const mel = this.extractor.melSpectrogram(segment);
    const out = new Float32Array(this.nMels * count);
    for (let m = 0; m < this.nMels; m++) {
      const row = m * mel.cols + this.contextFrames;
      out.set(mel.data.subarray(row, row + count), m * count);
    }
    this.nextFrame = lastFrame + 1;
    this.discardBefore((this.nextFrame - this.contextFrames) * this.hop);
    return { rows: this.nMels, cols: count, data: out };
  }

  /**
   * End the stream: the frames still to come, whose windows reach past the last sample, computed
   * with zeros there as librosa's center=True pads the end. Afterwards every frame of the whole
   * signal has been emitted (1 + floor(samples / hop) in all); push no more.
   */
  flush(): Matrix {
    return this.push(new Float32Array(this.half));
  }

  private append(samples: Float32Array): void {
    const needed = this.bufferLength + samples.length;
    if (needed > this.buffer.length) {
      const grown = new Float32Array(Math.max(needed, 2 * this.buffer.length));
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    this.buffer.set(samples, this.bufferLength);
    this.bufferLength = needed;
  }

  /** Drop samples before absolute index `start` (they are no longer in any frame to come). */
  private discardBefore(start: number): void {
    const drop = start - this.bufferStart;
    if (drop <= 0) return;
    this.buffer.copyWithin(0, drop, this.bufferLength);
    this.bufferLength -= drop;
    this.bufferStart = start;
  }
}

/**
 * A dense row-major float32 matrix. Feature matrices follow librosa's orientation:
 * rows are features (frequency bins, mel bands, MFCC coefficients), columns are frames,
 * and element `[r][c]` is at `data[r * cols + c]`.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** A zero-filled `[rows][cols]` matrix. */
export function zerosMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float32Array(rows * cols) };
}

/** Element `[r][c]`. */
export function at(m: Matrix, r: number, c: number): number {
  return m.data[r * m.cols + c] as number;
}

/**
 * Pad with zeros or truncate along the columns (frames) to exactly `cols` columns, keeping
 * the first ones, as the thesis does for its fixed 100-frame MFCC input.
 */
export function fixColumns(m: Matrix, cols: number): Matrix {
  if (m.cols === cols) return m;
  const out = zerosMatrix(m.rows, cols);
  const keep = Math.min(cols, m.cols);
  for (let r = 0; r < m.rows; r++) {
    out.data.set(m.data.subarray(r * m.cols, r * m.cols + keep), r * cols);
  }
  return out;
}

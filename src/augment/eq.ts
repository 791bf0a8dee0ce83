import type { RealSpectrum } from "../dsp/realFftAnyLength";
import { zeroFrequencyBins } from "./spectralBand";

/**
 * Band-pass "EQ" by zeroing FFT bins of the whole clip, as the thesis does:
 * `Y[(f < lowHz) | (f > highHz)] = 0`. The kept band is therefore [lowHz, highHz] with BOTH
 * edges inclusive: a bin at exactly lowHz or highHz is kept (with numpy's float64 bin
 * frequencies; for 66150 samples at 22050 Hz, bins 900 = 300.0 Hz and 9000 = 3000.0 Hz exist
 * and are kept).
 *
 * @param samples  mono signal, length n ≥ 1; not modified
 * @param sampleRate  Hz
 * @param lowHz  lowest frequency kept, Hz (thesis: 300)
 * @param highHz  highest frequency kept, Hz (thesis: 3000)
 * @param spectrum  `rfft(samples)` if already computed (augmentAll shares it between eq and freqmask)
 * @returns  new array of length n
 */
export function bandPassEq(
  samples: Float32Array,
  sampleRate: number,
  lowHz: number,
  highHz: number,
  spectrum?: RealSpectrum,
): Float32Array {
  return zeroFrequencyBins(samples, sampleRate, (f) => f < lowHz || f > highHz, "eq augmentation", spectrum);
}

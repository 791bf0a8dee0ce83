import type { RealSpectrum } from "../dsp/realFftAnyLength";
import { zeroFrequencyBins } from "./spectralBand";

/**
 * Frequency masking by zeroing FFT bins of the whole clip, as the thesis does:
 * `Y[(f >= lowHz) & (f <= highHz)] = 0`, i.e. the band [lowHz, highHz] with BOTH edges
 * inclusive is removed (for 66150 samples at 22050 Hz, bins 3000 = 1000.0 Hz and
 * 9000 = 3000.0 Hz are zeroed).
 *
 * @param samples  mono signal, length n ≥ 1; not modified
 * @param sampleRate  Hz
 * @param lowHz  lowest frequency removed, Hz (thesis: 1000)
 * @param highHz  highest frequency removed, Hz (thesis: 3000)
 * @param spectrum  `rfft(samples)` if already computed (augmentAll shares it between eq and freqmask)
 * @returns  new array of length n
 */
export function maskFrequencyBand(
  samples: Float32Array,
  sampleRate: number,
  lowHz: number,
  highHz: number,
  spectrum?: RealSpectrum,
): Float32Array {
  return zeroFrequencyBins(samples, sampleRate, (f) => f >= lowHz && f <= highHz, "freqmask augmentation", spectrum);
}

import { ConfigError, ShapeError } from "../errors";
import { irfft, rfft, rfftFrequencies, type RealSpectrum } from "../dsp/realFftAnyLength";

/**
 * The thesis's whole-clip spectral edit: `Y = np.fft.rfft(y)`, `f = np.fft.rfftfreq(n, 1/sr)`,
 * `Y[zero(f)] = 0`, `np.fft.irfft(Y, n=n)`, with one FFT over the WHOLE clip (any length n, no
 * padding), in float64, rounded to float32 at the end. Bin frequencies use numpy's own float64
 * arithmetic (see {@link rfftFrequencies}), so a bin that lies exactly on a band edge (e.g. bin
 * 900 of a 66150-sample clip at 22050 Hz is exactly 300.0 Hz) is selected as numpy selects it.
 *
 * @param samples  mono signal, length n ≥ 1; not modified
 * @param sampleRate  Hz
 * @param zero  true for the bin frequencies (Hz) to zero
 * @param subject  name of the augmentation, for error messages
 * @param spectrum  `rfft(samples)` if the caller already has it (eq and freqmask of one clip share
 *   it); not modified
 * @returns  new array of length n
 */
export function zeroFrequencyBins(
  samples: Float32Array,
  sampleRate: number,
  zero: (frequencyHz: number) => boolean,
  subject: string,
  spectrum?: RealSpectrum,
): Float32Array {
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new ConfigError(subject, `sample rate ${sampleRate} Hz is not positive`, "pass the clip's sample rate in Hz");
  }
  const n = samples.length;
  if (n === 0) {
    throw new ShapeError(
      subject,
      "the clip has 0 samples (numpy's rfft rejects it too)",
      "drop empty clips before augmenting",
    );
  }
  const bins = Math.floor(n / 2) + 1;
  if (spectrum !== undefined && (spectrum.re.length !== bins || spectrum.im.length !== bins)) {
    throw new ShapeError(
      subject,
      `the spectrum given has ${spectrum.re.length} bins, not the ${bins} of a ${n}-sample clip`,
      "pass rfft(samples) of this clip",
    );
  }
  const edited = spectrum === undefined ? rfft(samples) : { re: spectrum.re.slice(), im: spectrum.im.slice() };
  const freqs = rfftFrequencies(n, sampleRate);
  for (let k = 0; k < freqs.length; k++) {
    if (zero(freqs[k] as number)) {
      edited.re[k] = 0;
      edited.im[k] = 0;
    }
  }
  return Float32Array.from(irfft(edited, n));
}

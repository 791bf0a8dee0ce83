/**
 * Kaiser-window low-pass design, from the textbook formulas (J. F. Kaiser, "Nonrecursive
 * digital filter design using the I0-sinh window function", 1974; Oppenheim & Schafer,
 * Discrete-Time Signal Processing, section 7.5.3).
 */

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Kaiser window shape parameter for a stop-band attenuation.
 *
 * @param attenuationDb  stop-band attenuation, dB (positive)
 */
export function kaiserBeta(attenuationDb: number): number {
  const a = attenuationDb;
  if (a > 50) return 0.1102 * (a - 8.7);
  if (a >= 21) return 0.5842 * Math.pow(a - 21, 0.4) + 0.07886 * (a - 21);
  return 0;
}

/**
 * Half-length of a Kaiser-windowed sinc that meets an attenuation over a transition band,
 * in seconds: the filter spans [-halfLength, +halfLength].
 *
 * @param attenuationDb  stop-band attenuation, dB
 * @param transitionHz  width of the transition band (pass-band end to stop-band start), Hz
 */
export function kaiserHalfLengthSeconds(attenuationDb: number, transitionHz: number): number {
  // order N = (A - 7.95) / (2.285 * delta_omega), delta_omega = 2 pi transition / fs, so the
  // length N / fs in seconds does not depend on fs
  return (attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transitionHz) / 2;
}

/** The low-pass kernel as a function of continuous time. */
export interface KaiserSincKernel {
  /** -6 dB cut-off frequency, Hz (half-way between pass-band end and stop-band start). */
  cutoffHz: number;
  /** The kernel is zero outside [-halfLengthSeconds, +halfLengthSeconds]. */
  halfLengthSeconds: number;
  /** Kaiser shape parameter. */
  beta: number;
}

/**
 * Design a linear-phase low-pass as a continuous-time windowed sinc.
 *
 * @param passbandEndHz  highest frequency to keep untouched, Hz
 * @param stopbandStartHz  lowest frequency to attenuate fully, Hz
 * @param attenuationDb  stop-band attenuation, dB
 */
export function designKaiserSinc(
  passbandEndHz: number,
  stopbandStartHz: number,
  attenuationDb: number,
): KaiserSincKernel {
  return {
    cutoffHz: (passbandEndHz + stopbandStartHz) / 2,
    halfLengthSeconds: kaiserHalfLengthSeconds(attenuationDb, stopbandStartHz - passbandEndHz),
    beta: kaiserBeta(attenuationDb),
  };
}

/**
 * Value of the kernel at time t, scaled for a signal sampled at `sampleRateHz` (so that the
 * sum over one sample grid is ~1, i.e. unit gain at DC): (2 fc / fs) sinc(2 fc t) w(t).
 *
 * @param t  seconds from the kernel's centre
 * @param i0Beta  besselI0(kernel.beta), passed in so it is computed once
 */
export function kernelAt(kernel: KaiserSincKernel, t: number, sampleRateHz: number, i0Beta: number): number {
  const r = t / kernel.halfLengthSeconds;
  if (r <= -1 || r >= 1) return 0;
  const window = besselI0(kernel.beta * Math.sqrt(1 - r * r)) / i0Beta;
  const x = 2 * kernel.cutoffHz * t;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  return ((2 * kernel.cutoffHz) / sampleRateHz) * sinc * window;
}

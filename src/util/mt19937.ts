/**
 * The Mersenne Twister MT19937 as NumPy's legacy `RandomState` uses it, and the two draws the
 * thesis's scikit-learn split depends on. With these, `numpyLegacyPermutation(n, 42)` equals
 * `numpy.random.RandomState(42).permutation(n)` exactly, so our `thesis` split puts every row
 * on the same side as `train_test_split(X, y, test_size=0.2, random_state=42)` did.
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  /** Seeds like `RandomState(seed)` for an integer seed (Matsumoto-Nishimura `init_genrand`). */
  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1] as number;
      const x = prev ^ (prev >>> 30);
      // 1812433253 * x + i in 32-bit arithmetic
      this.mt[i] = (Math.imul(1812433253, x) + i) >>> 0;
    }
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = ((mt[k] as number) & 0x80000000) | ((mt[(k + 1) % 624] as number) & 0x7fffffff);
        let v = (mt[(k + 397) % 624] as number) ^ (y >>> 1);
        if (y & 1) v ^= 0x9908b0df;
        mt[k] = v >>> 0;
      }
      this.index = 0;
    }
    let y = mt[this.index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Uniform integer in [0, max] by masked rejection, as NumPy's `random_interval` (for
   * max < 2^32, which covers every dataset we can hold in memory).
   */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }
}

/** `numpy.random.RandomState(seed).permutation(n)`: a permutation of 0..n-1. */
export function numpyLegacyPermutation(n: number, seed: number): Int32Array {
  const rng = new Mt19937(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.interval(i);
    const tmp = out[i] as number;
    out[i] = out[j] as number;
    out[j] = tmp;
  }
  return out;
}

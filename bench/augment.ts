/**
 * Speed of the preprocessing building blocks, with the goals the unit tests used to assert with
 * wall clocks (timings belong here, where a busy machine shows as a slow run, not a failed test):
 * - a whole-clip float64 rfft + irfft of 66150 samples (3 s, 2·3³·5²·7²; the EQ and frequency-mask
 *   augmentations): goal < 200 ms per pair (no O(n²) path);
 * - resampling 10 s from 16 kHz to 22050 Hz (the default resampler): goal < 1000 ms;
 * - each of the nine augmentations of one 3 s clip (no goal, for the record).
 *
 *   npm run bench:augment [-- --repeats 5]
 *
 * Process CPU time, best of the passes after a warm-up. Prints a table, then as the last line one
 * JSON object.
 */
import { parseArgs } from "node:util";
import { AUGMENTATIONS, ClipWork } from "../src/augment";
import { resample } from "../src/audio/resample";
import { AUGMENTATION_NAMES, DEFAULT_AUGMENT_CONFIG } from "../src/config/augment";
import { irfft, rfft } from "../src/dsp/realFftAnyLength";
import { SeededRandom } from "../src/util/random";

const SR = 22050;
const CLIP = 3 * SR;
const GOALS_MS = { rfftPair: 200, resample10s: 1000 };

/** Process CPU time, ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best CPU ms per call of `run` over `repeats` passes of `calls` calls, after one warm-up pass. */
function best(run: () => unknown, repeats: number, calls = 1): number {
  let sink = 0;
  let result = Infinity;
  for (let pass = 0; pass <= repeats; pass++) {
    const t0 = cpuMs();
    for (let i = 0; i < calls; i++) sink += run() === undefined ? 0 : 1;
    if (pass > 0) result = Math.min(result, (cpuMs() - t0) / calls);
  }
  if (sink < 0) throw new Error("unreachable");
  return result;
}

function main(): void {
  const { values } = parseArgs({ options: { repeats: { type: "string" } } });
  const repeats = Math.max(1, Number(values.repeats ?? 5));
  const rng = new SeededRandom(7);
  const clip = Float32Array.from(
    { length: CLIP },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / SR) + 0.05 * rng.gaussian(),
  );
  const x64 = Float64Array.from(clip);
  const tenSeconds16k = Float32Array.from(
    { length: 160000 },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000),
  );

  const rfftPair = best(() => irfft(rfft(x64), CLIP), repeats);
  const resample10s = best(() => resample(tenSeconds16k, 16000, SR), repeats);
  const augmentations: Record<string, number> = {};
  for (const name of AUGMENTATION_NAMES) {
    const fn = AUGMENTATIONS[name];
    augmentations[name] = best(
      () => fn(clip, SR, DEFAULT_AUGMENT_CONFIG, new SeededRandom(1), new ClipWork(clip)),
      repeats,
    );
  }

  console.log(`Preprocessing building blocks, CPU ms, best of ${repeats} passes`);
  console.log(
    `${"rfft + irfft, 66150 samples (float64)".padEnd(44)}${rfftPair.toFixed(2).padStart(9)}   goal < ${GOALS_MS.rfftPair}`,
  );
  console.log(
    `${"resample 10 s, 16 kHz -> 22050 Hz".padEnd(44)}${resample10s.toFixed(2).padStart(9)}   goal < ${GOALS_MS.resample10s}`,
  );
  for (const name of AUGMENTATION_NAMES)
    console.log(
      `${`augmentation ${name}, one 3 s clip`.padEnd(44)}${(augmentations[name] as number).toFixed(2).padStart(9)}`,
    );
  const round = (v: number): number => Number(v.toPrecision(4));
  console.log(
    JSON.stringify({
      bench: "augment",
      timing: "process CPU time, best pass",
      repeats,
      ms: {
        rfftPair: round(rfftPair),
        resample10s: round(resample10s),
        augmentations: Object.fromEntries(Object.entries(augmentations).map(([k, v]) => [k, round(v)])),
      },
      goalsMs: GOALS_MS,
      meetsGoals: rfftPair < GOALS_MS.rfftPair && resample10s < GOALS_MS.resample10s,
    }),
  );
}

main();

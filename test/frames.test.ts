// The notebooks' danfo.js tables (src/notebook/frames.ts): typed columns from the stages' CSV
// files, per-recording aggregation on a hand-made run, the HTML/text display, and that neither the
// CLI nor importing the notebook layer loads danfojs-node (it costs about a second of CPU).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  frameBundle,
  predictionsFrame,
  recordingScoresFrame,
  recordsFrame,
  cvFoldsFrame,
} from "../src/notebook/frames";

const ROOT = resolve(__dirname, "..");

/** A run folder holding `test_predictions.csv` for two recordings (3 + 2 clips). */
function handMadeRun(): string {
  const dir = mkdtempSync(join(tmpdir(), "soundcheck-frames-"));
  const header = "test_row,feature_row,file,source,augmentation,true_label,probability_broken,predicted_label";
  const a = "../data/broken_audio/section_00_source_test_anomaly_0001_pat_00.wav";
  const b = "../data/normal_audio/section_00_target_test_normal_0002_pat_01.wav";
  const rows = [
    `0,10,x_chunk_0.wav,${a},,1,0.9,1`,
    `1,11,x_chunk_1.wav,${a},noise,1,0.2,0`,
    `2,12,x_chunk_2.wav,${a},,1,0.7,1`,
    `3,20,y.wav,${b},,0,0.4,0`,
    `4,21,y2.wav,${b},,0,0.6,1`,
  ];
  writeFileSync(join(dir, "test_predictions.csv"), [header, ...rows].join("\n") + "\n");
  writeFileSync(join(dir, "cv_folds.csv"), "repeat,fold,model,rocAuc\n0,0,cnn,0.5\n0,1,cnn,\n");
  return dir;
}

test("a column becomes numeric when every non-empty cell is a number (empty cells NaN), text otherwise", () => {
  const df = recordsFrame([
    { a: "1", b: "x", c: "" },
    { a: "2.5", b: "3", c: "4" },
  ]);
  assert.deepEqual(df.columns, ["a", "b", "c"]);
  assert.deepEqual(df.column("a").values, [1, 2.5]);
  assert.deepEqual(df.column("b").values, ["x", "3"]);
  assert.ok(Number.isNaN(df.column("c").values[0] as number));
  assert.equal(df.column("c").values[1], 4);
  const folds = cvFoldsFrame(handMadeRun());
  assert.ok(Number.isNaN(folds.column("rocAuc").values[1] as number), "an empty metric is NaN, not 0");
});

test("predictionsFrame adds each clip's recording, DCASE domain and whether the CNN was right", () => {
  const df = predictionsFrame({ runDir: handMadeRun() });
  assert.deepEqual(df.column("recording").values, [
    ...Array<string>(3).fill("section_00_source_test_anomaly_0001_pat_00.wav"),
    ...Array<string>(2).fill("section_00_target_test_normal_0002_pat_01.wav"),
  ]);
  assert.deepEqual(df.column("domain").values, ["source", "source", "source", "target", "target"]);
  assert.deepEqual(df.column("correct").values, [1, 0, 1, 1, 0]);
  assert.deepEqual(df.column("augmentation").values, ["", "noise", "", "", ""]);
});

test("recordingScoresFrame gives one row per test recording: clips, mean and largest P(broken), share predicted broken, clips right", () => {
  const df = recordingScoresFrame(handMadeRun());
  assert.deepEqual(df.columns, [
    "recording",
    "domain",
    "true_label",
    "clips",
    "mean_probability_broken",
    "max_probability_broken",
    "share_predicted_broken",
    "correct_clips",
  ]);
  const rows = df.values as Array<Array<string | number>>;
  assert.equal(rows.length, 2);
  const [anomaly, normal] = rows as [Array<string | number>, Array<string | number>];
  assert.deepEqual(anomaly.slice(0, 4), ["section_00_source_test_anomaly_0001_pat_00.wav", "source", 1, 3]);
  assert.ok(Math.abs((anomaly[4] as number) - 0.6) < 1e-12 && anomaly[5] === 0.9);
  assert.ok(Math.abs((anomaly[6] as number) - 2 / 3) < 1e-12 && anomaly[7] === 2);
  assert.deepEqual(normal.slice(0, 4), ["section_00_target_test_normal_0002_pat_01.wav", "target", 0, 2]);
  assert.ok(Math.abs((normal[4] as number) - 0.5) < 1e-12 && normal[5] === 0.6 && normal[6] === 0.5 && normal[7] === 1);
});

test("a frame shows as an HTML table and as text, numbers right-aligned, long frames cut in the middle with their shape below", () => {
  const df = recordsFrame(Array.from({ length: 50 }, (_, i) => ({ name: `r${i}`, value: String(i / 4) })));
  const b = frameBundle(df, { maxRows: 10, edgeRows: 2, digits: 2, caption: "c<1>" });
  const html = b["text/html"] as string;
  assert.match(html, /^<table class="soundcheck-frame"/);
  assert.match(html, /<caption[^>]*>c&lt;1&gt;<\/caption>/);
  assert.equal(html.match(/<tr>/g)?.length, 1 + 2 + 1 + 2, "header, 2 first rows, the cut, 2 last rows");
  assert.match(html, /<td style="text-align:right;padding:2px 10px">0\.25<\/td>/);
  assert.match(html, /<td style="text-align:left;padding:2px 10px">r49<\/td>/);
  assert.match(html, /50 rows × 2 columns/);
  assert.equal(
    b["text/plain"],
    [
      "c<1>",
      "    name  value",
      " 0    r0      0",
      " 1    r1   0.25",
      " …     …      …",
      "48   r48     12",
      "49   r49  12.25",
      "50 rows × 2 columns",
    ].join("\n"),
  );
});

test("neither the CLI nor importing the notebook layer loads danfojs-node; the first frame does", () => {
  const probe = [
    'require("./src/pipeline/cli");',
    'require("./src/notebook");',
    'const loaded = () => Object.keys(require.cache).some((k) => k.includes("danfojs-node"));',
    "const before = loaded();",
    'require("./src/notebook").recordsFrame([{ a: "1" }]);',
    "process.stdout.write(JSON.stringify([before, loaded()]));",
  ].join("\n");
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", probe], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [false, true]);
});

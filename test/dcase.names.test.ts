import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { dcaseColumns, isDcaseName, parseDcaseName } from "../src/data/dcaseNames";

test("parses section, domain, split, condition, index and the attribute pair of a bundled valve name", () => {
  assert.deepEqual(parseDcaseName("section_00_target_test_anomaly_0003_pat_02.wav"), {
    section: "00",
    domain: "target",
    split: "test",
    condition: "anomaly",
    index: "0003",
    attributes: [{ key: "pat", value: "02" }],
  });
});

test("ignores the folder and the extension, and keeps several attribute pairs in order", () => {
  const p = parseDcaseName("dev_data/raw/bearing/train/section_01_source_train_normal_0123_vel_6_loc_A.WAV");
  assert.equal(p.section, "01");
  assert.equal(p.domain, "source");
  assert.equal(p.split, "train");
  assert.equal(p.condition, "normal");
  assert.equal(p.index, "0123");
  assert.deepEqual(p.attributes, [
    { key: "vel", value: "6" },
    { key: "loc", value: "A" },
  ]);
  assert.equal(
    parseDcaseName("C:\\dcase\\section_02_target_train_normal_0000_volt_1.3_wt_30.wav").attributes[0]!.value,
    "1.3",
  );
});

test("a trailing key without value (noAttribute) and a name without attributes parse", () => {
  assert.deepEqual(parseDcaseName("section_00_source_train_normal_0000_noAttribute.wav").attributes, [
    { key: "noAttribute", value: null },
  ]);
  const bare = parseDcaseName("section_00_source_test_normal_0007.wav");
  assert.equal(bare.index, "0007");
  assert.deepEqual(bare.attributes, []);
});

test("names outside the convention give null fields and never throw", () => {
  for (const name of [
    "pump_b.wav",
    "normal_0.wav",
    "",
    ".DS_Store",
    "section_00_sauce_test_normal_0000.wav",
    "section_xx_source_test_normal_0000.wav",
    "section_00_source_valid_normal_0000.wav",
    "section_00_source_test_broken_0000.wav",
    "section_00_source_test_normal_.wav",
    "\u0000\u{1F600}",
  ]) {
    const p = parseDcaseName(name);
    assert.deepEqual(
      p,
      { section: null, domain: null, split: null, condition: null, index: null, attributes: [] },
      name,
    );
    assert.equal(isDcaseName(p), false);
  }
});

test("an evaluation-set name gives its section and index only", () => {
  const p = parseDcaseName("section_00_0012.wav");
  assert.equal(p.section, "00");
  assert.equal(p.index, "0012");
  assert.equal(p.domain, null);
  assert.equal(isDcaseName(p), false);
});

test("every bundled recording parses, and its folder agrees with the condition in its name", () => {
  const root = join(__dirname, "..", "data");
  let n = 0;
  for (const [folder, condition] of [
    ["broken_audio", "anomaly"],
    ["normal_audio", "normal"],
    ["unseen_broken_audio", "anomaly"],
    ["unseen_normal_audio", "normal"],
  ] as const) {
    for (const name of readdirSync(join(root, folder)).filter((f) => f.endsWith(".wav"))) {
      const p = parseDcaseName(name);
      assert.equal(p.condition, condition, name);
      assert.ok(isDcaseName(p), name);
      assert.match(p.attributes[0]!.key, /^pat$/);
      n++;
    }
  }
  assert.equal(n, 52);
});

test("manifest cells: attributes as key=value;key=value, empty cells for null fields", () => {
  assert.deepEqual(dcaseColumns(parseDcaseName("section_01_source_train_normal_0123_vel_6_loc_A.wav")), {
    section: "01",
    domain: "source",
    dcase_split: "train",
    condition: "normal",
    index: "0123",
    attributes: "vel=6;loc=A",
  });
  assert.deepEqual(Object.values(dcaseColumns(parseDcaseName("pump.wav"))), [null, null, null, null, null, null]);
});

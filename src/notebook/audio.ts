import { encodeWav } from "../audio/wav";
import { escapeHtml, type MimeBundle } from "./display";

/**
 * An HTML `<audio>` player holding the clip itself (16-bit WAV as a data URI, so it plays
 * offline and in exported HTML; about 59 kB per second at 22050 Hz).
 *
 * @param samples  mono, full scale = 1
 * @param sampleRateHz  Hz
 */
export function audioPlayerHtml(samples: Float32Array, sampleRateHz: number, label: string): string {
  const wav = Buffer.from(encodeWav(samples, sampleRateHz, "pcm16")).toString("base64");
  return (
    `<figure style="margin:4px 8px;display:inline-block;text-align:center">` +
    `<audio controls preload="none" src="data:audio/wav;base64,${wav}" style="width:180px"></audio>` +
    `<figcaption style="font-size:smaller">${escapeHtml(label)}</figcaption></figure>`
  );
}

/** Players for several clips in a row, e.g. one per augmentation. */
export function audioGalleryBundle(
  clips: ReadonlyArray<{ name: string; samples: Float32Array }>,
  sampleRateHz: number,
): MimeBundle {
  const players = clips.map((c) => audioPlayerHtml(c.samples, sampleRateHz, c.name)).join("");
  const durations = clips.map((c) => `${c.name} (${(c.samples.length / sampleRateHz).toFixed(2)} s)`).join(", ");
  return {
    "text/html": `<div class="soundcheck-audio-gallery" style="display:flex;flex-wrap:wrap">${players}</div>`,
    "text/plain": `Audio players: ${durations}`,
  };
}

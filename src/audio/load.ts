import { decodeAudioFile } from "./decode";
import { DEFAULT_LOAD_RATE_HZ, toLoaded, type LoadedAudio } from "./loadBytes";
import { decodeWavFile } from "./wav";

// LoadedAudio, toLoaded and loadAudioBytes (no file system) live in loadBytes.ts so the browser
// app can bundle them.
export * from "./loadBytes";

/**
 * Decode, mix to mono and resample, like `librosa.load(path, sr=sampleRateHz)` with its defaults
 * (mono=True, res_type='soxr_hq'): the channel mean in float32, then src/audio/resample.ts, giving
 * ceil(frames * sampleRateHz / fileRate) samples. No resampling happens when the rates match, so
 * a 22.05 kHz WAV loads bit-identical to librosa.
 *
 * @param path  WAV, FLAC, MP3 or Ogg Vorbis file (recognised by content)
 * @param sampleRateHz  target rate, Hz (positive integer); default 22050
 * @throws AudioDecodeError  when the file cannot be decoded
 */
export async function loadAudio(path: string, sampleRateHz: number = DEFAULT_LOAD_RATE_HZ): Promise<LoadedAudio> {
  return toLoaded(await decodeAudioFile(path), sampleRateHz);
}

/**
 * Synchronous {@link loadAudio} for WAV files only (no WebAssembly decoder involved).
 *
 * @param path  WAV file
 * @param sampleRateHz  target rate, Hz; default 22050
 * @throws AudioDecodeError  when the file is not a decodable WAV
 */
export function loadWavSync(path: string, sampleRateHz: number = DEFAULT_LOAD_RATE_HZ): LoadedAudio {
  return toLoaded(decodeWavFile(path), sampleRateHz);
}

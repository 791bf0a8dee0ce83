/**
 * Microphone capture: getUserMedia into an AudioWorklet (capture-worklet.js) that hands the raw
 * samples to the page at the AudioContext's rate. The browser's own processing (echo
 * cancellation, noise suppression, automatic gain) is switched off: the model was trained on
 * plain recordings. Mixing to mono uses the pipeline's `toMono`.
 */
import { toMono } from "../src/audio/mono";

export interface MicrophoneStream {
  /** The AudioContext's rate, Hz. */
  sampleRateHz: number;
  stop(): Promise<void>;
}

/**
 * Start capturing; `onSamples` gets mono blocks of about 2048 samples.
 *
 * @throws Error  when the browser refuses the microphone (no device, no permission, insecure page)
 */
export async function startMicrophone(onSamples: (mono: Float32Array) => void): Promise<MicrophoneStream> {
  if (navigator.mediaDevices?.getUserMedia === undefined) {
    throw new Error("this page cannot use a microphone here: open it from http://localhost or over https");
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule(new URL("capture-worklet.js", document.baseURI).href);
    const source = context.createMediaStreamSource(stream);
    const capture = new AudioWorkletNode(context, "soundcheck-capture", { numberOfOutputs: 1 });
    capture.port.onmessage = (event: MessageEvent<Float32Array[][]>) => {
      const blocks = event.data;
      const channelCount = Math.min(...blocks.map((b) => b.length));
      const frames = blocks.reduce((n, b) => n + (b[0]?.length ?? 0), 0);
      const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
      let at = 0;
      for (const block of blocks) {
        for (let c = 0; c < channelCount; c++) (channels[c] as Float32Array).set(block[c] as Float32Array, at);
        at += block[0]?.length ?? 0;
      }
      if (channelCount > 0 && frames > 0) onSamples(toMono(channels));
    };
    // the worklet must be pulled by the graph to run: route it to the speakers through a muted gain
    const mute = context.createGain();
    mute.gain.value = 0;
    source.connect(capture).connect(mute).connect(context.destination);
    await context.resume();
    return {
      sampleRateHz: context.sampleRate,
      stop: async () => {
        capture.port.onmessage = null;
        for (const track of stream.getTracks()) track.stop();
        await context.close();
      },
    };
  } catch (err) {
    for (const track of stream.getTracks()) track.stop();
    await context.close();
    throw err;
  }
}

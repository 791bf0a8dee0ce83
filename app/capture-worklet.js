// AudioWorklet processor of the soundcheck app: forwards the microphone's samples (every
// channel, float32, at the AudioContext's rate) to the page in blocks of about 2048 frames.
// Plain JavaScript: it runs in the audio thread's own scope, outside the bundle.
class SoundcheckCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.blocks = [];
    this.frames = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (input !== undefined && input.length > 0 && input[0].length > 0) {
      this.blocks.push(input.map((channel) => channel.slice()));
      this.frames += input[0].length;
      if (this.frames >= 2048) {
        this.port.postMessage(this.blocks);
        this.blocks = [];
        this.frames = 0;
      }
    }
    return true;
  }
}

registerProcessor("soundcheck-capture", SoundcheckCapture);

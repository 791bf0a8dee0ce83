/**
 * Finding internet addresses in built web files. An exported page must load nothing from the
 * internet; the bundled libraries still carry a few addresses in comments (inside shader source)
 * and in error messages, which the page never fetches. Each of those is listed here with where it
 * comes from, so a new address in the bundle (a CDN link, a font, a model URL) fails the test.
 */

/** Addresses that appear in the bundle only as text for people, never as something to load. */
export const DOCUMENTATION_URLS: ReadonlyArray<{ url: string; why: string }> = [
  {
    url: "https://github.com/tensorflow/tfjs/blob/master/tfjs-backend-wasm/README.md#using-bundlers",
    why: "tfjs-backend-wasm error message",
  },
  { url: "https://github.com/tensorflow/tfjs-node", why: "tfjs console hint for Node users" },
  {
    url: "https://emscripten.org/docs/porting/pthreads.html#blocking-on-the-main-browser-thread",
    why: "Emscripten runtime warning (tfjs wasm backend)",
  },
  { url: "https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API", why: "tfjs http handler error message" },
  { url: "https://github.com/eshaz/simple-yenc", why: "wasm-audio-decoders console message" },
  { url: "http://localhost", why: "the app's own message: where the microphone works" },
];

/** One address found in a file, with the text around it. */
export interface FoundUrl {
  url: string;
  context: string;
}

/**
 * Addresses in `text` that are neither in a `//` comment line (tfjs's shader sources keep theirs)
 * nor in DOCUMENTATION_URLS.
 */
export function unexpectedUrls(text: string): FoundUrl[] {
  const found: FoundUrl[] = [];
  for (const match of text.matchAll(/https?:\/\/[^\s"'`)<>\\]*/g)) {
    const at = match.index ?? 0;
    const lineStart = text.lastIndexOf("\n", at) + 1;
    if (/^\s*\/\//.test(text.slice(lineStart, at))) continue; // a comment line
    const url = match[0].replace(/[.,;]+$/, "");
    if (DOCUMENTATION_URLS.some((d) => d.url === url)) continue;
    found.push({ url, context: text.slice(Math.max(0, at - 80), at + url.length + 20) });
  }
  return found;
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConsoleReporter } from "../src/util/reporter";

function capture(isTTY: boolean): { reporter: ConsoleReporter; text: () => string } {
  let text = "";
  const stream = { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { reporter: new ConsoleReporter({ stream }), text: () => text };
}

test("a message between progress updates does not restart the bar (logs: each quarter printed once)", () => {
  const { reporter, text } = capture(false);
  reporter.progress("cv", 0, 10);
  reporter.info("fold 1 done");
  reporter.progress("cv", 1, 10);
  reporter.info("fold 2 done");
  reporter.progress("cv", 3, 10);
  reporter.progress("cv", 10, 10);
  assert.deepEqual(
    text()
      .trim()
      .split("\n")
      .map((l) => l.replace(/ elapsed.*/, "")),
    ["cv 0/10   0%", "fold 1 done", "fold 2 done", "cv 3/10  30%", "cv 10/10 100%"],
  );
});

test("on a terminal a message ends the progress line and the bar is redrawn below it", () => {
  const { reporter, text } = capture(true);
  reporter.progress("train", 1, 4);
  reporter.info("hello");
  reporter.progress("train", 2, 4);
  reporter.progress("train", 4, 4);
  const out = text();
  assert.match(out, /\] train 1\/4 {2}25%[^\n]*\nhello\n\r\[/);
  assert.ok(out.endsWith("\n"));
  assert.match(out, /train 4\/4 100%/);
});

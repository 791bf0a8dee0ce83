/**
 * Errors a user can cause. Each names the file (or setting) concerned, what happened, and what
 * to do about it, so one line is enough to act on.
 */
export class SoundcheckError extends Error {
  constructor(
    /** File or setting the problem is about. */
    readonly subject: string,
    /** What went wrong, in plain words. */
    readonly problem: string,
    /** What the user can do about it. */
    readonly fix: string,
  ) {
    super(`${subject}: ${problem}. ${fix}`);
    this.name = new.target.name;
  }
}

/** A file could not be decoded as audio (corrupt, truncated, unsupported codec...). */
export class AudioDecodeError extends SoundcheckError {}

/** A configuration value or folder layout is unusable. */
export class ConfigError extends SoundcheckError {}

/** An array has the wrong shape or dtype for what it is used for. */
export class ShapeError extends SoundcheckError {}

import type { PipelineConfig } from "../../config/pipeline";
import { collectProvenance, writeProvenance } from "./provenance";

/**
 * Write `provenance.json` into a run's report folder: the full config, every raw input file
 * (path, size, SHA-256), library versions, the tfjs backend, the machine and the git commit.
 *
 * @returns the file written
 */
export function writeRunProvenance(dir: string, config: PipelineConfig, backend: string): string {
  return writeProvenance(dir, collectProvenance(config, { backend }));
}

import type { PipelineConfig } from "../config/pipeline";

/** Write `provenance.json` (config, input file hashes, library versions, backend) into `dir`. */
export function writeRunProvenance(dir: string, config: PipelineConfig, backend: string): string | null {
  // TODO(lead): call collectProvenance/writeProvenance from ./provenance once it lands
  void dir;
  void config;
  void backend;
  return null;
}

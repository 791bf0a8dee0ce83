// ESLint flat config: typescript-eslint's type-checked rules on the TypeScript sources (they use the
// real compiler, so they see which calls return promises), ESLint's recommended rules on the plain
// JavaScript (scripts, bin, the audio worklet). Formatting is Prettier's job (.prettierrc), so no
// stylistic rules here.  Run: npm run lint (eslint + prettier --check).
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig([
  globalIgnores([
    "dist/",
    "app/build/",
    "data/",
    "models/",
    "reports/",
    "bench/out/",
    "test/output/",
    "test/fixtures/",
    "notebooks/",
  ]),
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["test", "it", "describe", "suite"] },
          ],
        },
      ],
      // a promise returned inside try/catch/finally must be awaited there, or the handler never sees its rejection
      "@typescript-eslint/return-await": ["error", "error-handling-correctness-only"],
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      // number arrays in messages print as "1,2,3" on purpose (element types are still checked)
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        {
          allowAny: true,
          allowBoolean: true,
          allowNullish: true,
          allowNumber: true,
          allowRegExp: true,
          allowArray: true,
        },
      ],
      // indexed reads are written `a[i] as number` on purpose (the noUncheckedIndexedAccess style)
      "@typescript-eslint/no-unnecessary-type-assertion": "off",
      // CommonJS output: `import X = require()` and lazy require() of optional or heavy packages are deliberate
      "@typescript-eslint/no-require-imports": "off",
      // async without await is how we implement promise-returning interfaces (a throw becomes a rejection)
      "@typescript-eslint/require-await": "off",
      // unused code is an error; a leading underscore marks a parameter kept for a signature
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // the core reports through a Reporter (STYLE.md); only the CLI, benches, scripts and notebooks print
    files: ["src/**/*.ts"],
    ignores: ["src/notebook/**", "src/browser/**"],
    rules: { "no-console": "error" },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["app/capture-worklet.js"],
    languageOptions: { globals: { ...globals.audioWorklet } },
  },
]);

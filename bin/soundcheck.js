#!/usr/bin/env node
"use strict";
// The CLI lives in the compiled core (npm install builds it through the `prepare` script).
require("../dist/pipeline/cli.js")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });

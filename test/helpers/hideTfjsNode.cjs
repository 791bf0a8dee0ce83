// Preload (node --require) for test/model.save.test.ts: makes `require("@tensorflow/tfjs-node")`
// fail as on a machine where the package is not installed, whatever this machine has.
const Module = require("node:module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "@tensorflow/tfjs-node" || request.startsWith("@tensorflow/tfjs-node/")) {
    const err = new Error(`Cannot find module '${request}' (hidden by test/helpers/hideTfjsNode.cjs)`);
    err.code = "MODULE_NOT_FOUND";
    throw err;
  }
  return resolve.call(this, request, ...rest);
};

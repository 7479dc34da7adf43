// Loaded before the app's modules (a classic script runs first): zod's JIT probes `new Function`, which the
// Content-Security-Policy (no 'unsafe-eval') refuses and Chromium reports as a violation. zod reads this
// global config when its schemas are built, so they validate without generated code.
globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });

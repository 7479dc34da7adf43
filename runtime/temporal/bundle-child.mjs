// Bundles the workflow code in a process of its own, so the worker never holds webpack (~180 MB) in memory.
// Usage: node bundle-child.mjs <workflowsPath> <outFile>; writes to a temporary name, then renames, so a reader
// never sees half a bundle and two processes bundling at once both end with the same complete file.
import { rename, writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';

const [workflowsPath, outFile] = process.argv.slice(2);
if (!workflowsPath || !outFile) {
  console.error('usage: bundle-child.mjs <workflowsPath> <outFile>');
  process.exit(2);
}
const quiet = () => {};
const { code } = await bundleWorkflowCode({
  workflowsPath,
  logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: (m) => console.warn(`[bundler] ${m}`), error: (m) => console.error(`[bundler] ${m}`) },
});
const tmp = `${outFile}.${process.pid}.tmp`;
await writeFile(tmp, code);
await rename(tmp, outFile);

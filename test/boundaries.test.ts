// Proves the lint boundary bites: shared/ and workflows/ may not import Node, UI, storage or runtime code.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string, rule = 'no-restricted-imports') {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

/** Findings of the rule that keeps workflows/ to the workflow bundle. */
const workflowImports = (filePath: string, code: string) => restricted(filePath, code, '@typescript-eslint/no-restricted-imports');

describe('import boundaries', () => {
  const forbidden = [
    "import { readFile } from 'node:fs/promises';",
    "import path from 'path';",
    "import { useState } from 'react';",
    "import Dexie from 'dexie';",
    "import { Hono } from 'hono';",
    "import { openStore } from '../runtime/store';",
  ];

  for (const dir of ['shared', 'workflows']) {
    for (const line of forbidden) {
      it(`${dir}/ rejects ${line}`, async () => {
        const messages = await restricted(`${dir}/probe.ts`, `${line}\nexport const probe = 1;\n`);
        expect(messages.length).toBe(1);
      });
    }

    it(`${dir}/ allows type-only imports and shared code`, async () => {
      const code = "import type { Store } from '../runtime/store/types';\nimport { compile } from '../shared';\nexport type S = Store;\nexport const c = compile;\n";
      expect(await restricted(`${dir}/probe.ts`, code)).toEqual([]);
    });
  }

  it('workflows/ rejects the Temporal client and worker packages', async () => {
    expect(await restricted('workflows/probe.ts', "import { Client } from '@temporalio/client';\nexport const c = Client;\n")).toHaveLength(1);
    expect(await restricted('workflows/probe.ts', "import { proxyActivities } from '@temporalio/workflow';\nexport const p = proxyActivities;\n")).toEqual([]);
  });

  it('web/ rejects runtime/ and workflows/ code, even as types, and takes the route contracts from shared/', async () => {
    expect(await restricted('web/probe.ts', "import { createApi } from '../runtime/api/app';\nexport const c = createApi;\n")).toHaveLength(1);
    expect(await restricted('web/probe.ts', "import type { Store } from '../runtime/store/types';\nexport type S = Store;\n")).toHaveLength(1);
    expect(await restricted('web/probe.ts', "import { syncIntegration } from '../workflows/sync-integration';\nexport const s = syncIntegration;\n")).toHaveLength(1);
    expect(await restricted('web/probe.ts', "import * as routes from '../shared/api/routes';\nexport const r = routes;\n")).toEqual([]);
  });

  it('runtime/ may import Node built-ins', async () => {
    expect(await restricted('runtime/probe.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n")).toEqual([]);
  });

  for (const file of ['runtime/activities/probe.ts', 'runtime/temporal/probe.ts', 'shared/compiler/probe.ts', 'web/pages/probe.tsx', 'test/integration/probe.test.ts']) {
    it(`${file} may not import workflows/ code`, async () => {
      const from = '../'.repeat(file.split('/').length - 1);
      expect(await workflowImports(file, `import { ownedSteps } from '${from}workflows/plan-steps';\nexport const o = ownedSteps;\n`)).toHaveLength(1);
      expect(await workflowImports(file, `import * as wf from '${from}workflows';\nexport const w = wf;\n`)).toHaveLength(1);
    });
  }

  it('outside workflows/, a type-only import of the workflow is allowed (the client starts it by type)', async () => {
    expect(await workflowImports('runtime/temporal/probe.ts', "import type { SyncIntegrationInput } from '../../workflows/sync-integration';\nexport type I = SyncIntegrationInput;\n")).toEqual([]);
  });

  it('workflows/ itself may import its own modules', async () => {
    expect(await workflowImports('workflows/probe.ts', "import { syncIntegration } from './sync-integration';\nexport const s = syncIntegration;\n")).toEqual([]);
  });
});

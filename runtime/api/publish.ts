// Publishing: compile the draft on the server and freeze it as an immutable version (or reuse an identical one).
import { hasErrors, type Diagnostic, type IntegrationVersion } from '../../shared';
import { canonicalHash } from '../store/canonical';
import type { Store } from '../store/types';
import { compileOnServer } from './compile-context';
import { HttpError, notFound } from './errors';

export async function publishIntegration(store: Store, id: string): Promise<{ version: IntegrationVersion; diagnostics: Diagnostic[] }> {
  const integration = await store.getIntegration(id);
  if (!integration) throw notFound('Integration', id);
  const { plan, diagnostics } = await compileOnServer(store, integration.graph);
  if (!plan || hasErrors(diagnostics)) {
    const count = diagnostics.filter((d) => d.severity === 'error').length;
    throw new HttpError(422, 'compile_failed', `The integration has ${count} problem${count === 1 ? '' : 's'} to fix before publishing`, { diagnostics });
  }
  const hash = canonicalHash({ graph: integration.graph, plan });
  if (integration.publishedVersionId) {
    const current = await store.getVersion(integration.publishedVersionId);
    if (current && current.hash === hash) return { version: current, diagnostics };
  }
  return { version: await store.createVersion(id, integration.graph, plan, hash), diagnostics };
}

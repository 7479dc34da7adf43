// The workspace connector: Weft's own objects through the connector interface, so a Workspace source, the
// contract suite and anything else read and write them like any other system. Needs the store from the context.
import { ConnectorError, defineConnector } from '../types';
import { workspaceManifest, type WorkspaceConfig, type WorkspaceSecrets } from './manifest';
import { openWorkspaceSession } from './session';

export const workspaceConnector = defineConnector<WorkspaceConfig, WorkspaceSecrets>({
  manifest: workspaceManifest,
  async open(config, secrets, context, options) {
    if (!workspaceManifest.config.safeParse(config).success || !workspaceManifest.secrets.safeParse(secrets).success) {
      throw new ConnectorError('invalid_config', 'The workspace connector takes no settings and no secrets: pass {} for both.');
    }
    if (!context?.store) throw new ConnectorError('invalid_config', 'The workspace connector reads Weft\'s own store, and this process did not give it one. Open it through the connection service or the worker.');
    return openWorkspaceSession(context.store, options?.now);
  },
});

export { workspaceManifest, WorkspaceConfig, WorkspaceSecrets } from './manifest';
export { openWorkspaceSession, describeObject, UPDATED_AT, WorkspaceCursor, type WorkspaceStore } from './session';

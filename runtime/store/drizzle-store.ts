// The Store over one Drizzle database: each method delegates to the module that owns its tables.
import { createWebhookStore } from './webhooks';
import { createAuthStore } from './auth';
import { createOperationsStore } from './operations';
import { createInboxStore } from './inbox';
import { createSetStore } from './sets';
import { createSyncStateStore } from './sync-state';
import { createTwoWayStore } from './two-way';
import { createMemberStore } from './members';
import { createOAuthStateStore } from './oauth';
import { commitBatch } from './commit-batch';
import { dropStagedRejected, recordLeftStaged, rejectedStageStart, stageRejected, unstageRejected } from './rejected-stage';
import * as connections from './connections';
import type { Engine } from './engines';
import { getFile, listFiles, saveFile } from './files';
import * as integrations from './integrations';
import { migrate } from './migrate';
import { MIGRATIONS } from './migrations';
import * as runFiles from './run-files';
import * as runs from './runs';
import * as schedules from './schedules';
import type { Store } from './types';
import * as workspace from './workspace';
import { deleteWorkspaceRecords, previewWorkspaceWrite, writeWorkspace } from './workspace-write';

export function createDrizzleStore(engine: Engine): Store {
  const { db } = engine;
  let closed: Promise<void> | null = null;
  return {
    engine: engine.kind,
    migrate: (options) => migrate(db, MIGRATIONS, options),
    close: () => (closed ??= engine.close()),

    listIntegrations: () => integrations.listIntegrations(db),
    getIntegration: (id) => integrations.getIntegration(db, id),
    getIntegrationToRun: (id) => integrations.getIntegrationToRun(db, id),
    createIntegration: (input) => integrations.createIntegration(db, input),
    updateIntegration: (id, patch) => integrations.updateIntegration(db, id, patch),
    deleteIntegration: (id) => integrations.deleteIntegration(db, id),

    createVersion: (integrationId, graph, plan, hash) => integrations.createVersion(db, integrationId, graph, plan, hash),
    getVersion: (id) => integrations.getVersion(db, id),

    createRun: (run) => runs.createRun(db, run),
    getRun: (id) => runs.getRun(db, id),
    getRunState: (id) => runs.getRunState(db, id),
    listRuns: (integrationId, opts) => runs.listRuns(db, integrationId, opts),
    markRunStarted: (runId) => runs.markRunStarted(db, runId),
    setRunWorkflow: (runId, workflowId) => runs.setRunWorkflow(db, runId, workflowId),
    getRunWorkflow: (runId) => runs.getRunWorkflow(db, runId),
    // A run ended failed or cancelled by any path (its own finish through endRun, a set's member whose workflow failed
    // outright, a resume that could not start): its two-way steps' staged held records are recorded first (their pairs
    // were saved, so no later run holds them again), never left behind.
    finishRun: async (runId, status, error) => {
      if (status === 'failed' || status === 'cancelled') await recordLeftStaged(db, runId);
      await runs.finishRun(db, runId, status, error);
    },
    cancelOpenRun: async (runId, error) => {
      await recordLeftStaged(db, runId);
      return runs.cancelOpenRun(db, runId, error);
    },
    endRun: async (runId, status, error) => {
      if (status === 'failed' || status === 'cancelled') await recordLeftStaged(db, runId);
      return runs.endRun(db, runId, status, error);
    },
    setStepStatus: (runId, nodeId, status, error) => runs.setStepStatus(db, runId, nodeId, status, error),
    setStepsStatus: (runId, nodeIds, status, error) => runs.setStepsStatus(db, runId, nodeIds, status, error),
    completeSteps: (runId, nodeIds) => runs.completeSteps(db, runId, nodeIds),
    getCheckpoint: (runId, pipelineId) => runs.getCheckpoint(db, runId, pipelineId),
    getPipelineStart: (runId, checkpointKey) => runs.getPipelineStart(db, runId, checkpointKey),
    keepPartitions: (runId, pipelineId, plan) => runs.keepPartitions(db, runId, pipelineId, plan),
    setStepWaiting: (runId, nodeId, waiting) => runs.setStepWaiting(db, runId, nodeId, waiting),
    reopenRun: (runId) => runs.reopenRun(db, runId),
    commitBatch: (commit) => commitBatch(db, commit),
    stageRejected: (runId, pipelineId, records) => stageRejected(db, runId, pipelineId, records),
    dropStagedRejected: (runId, pipelineId, attempt) => dropStagedRejected(db, runId, pipelineId, attempt),
    unstageRejected: (runId, pipelineId, keys) => unstageRejected(db, runId, pipelineId, keys),
    rejectedStageStart: (runId, pipelineId, nodeId) => rejectedStageStart(db, runId, pipelineId, nodeId),
    recordLeftStaged: (runId) => recordLeftStaged(db, runId),
    listRejected: (runId, opts) => runs.listRejected(db, runId, opts),

    saveFile: (file) => saveFile(db, file),
    getFile: (id) => getFile(db, id),
    listFiles: () => listFiles(db),

    recordRunFiles: (runId, files) => runFiles.recordRunFiles(db, runId, files),
    listRunFiles: (runId) => runFiles.listRunFiles(db, runId),

    listWorkspaceObjects: () => workspace.listWorkspaceObjects(db),
    getWorkspaceObject: (name) => workspace.getWorkspaceObject(db, name),
    listWorkspaceRecords: (name, opts) => workspace.listWorkspaceRecords(db, name, opts),
    readWorkspacePage: (name, opts) => workspace.readWorkspacePage(db, name, opts),
    writeWorkspace: (write) => writeWorkspace(db, write),
    deleteWorkspaceRecords: (name, keys) => deleteWorkspaceRecords(db, name, keys),
    previewWorkspaceWrite: (write) => previewWorkspaceWrite(db, write),

    listConnections: () => connections.listConnections(db),
    getConnection: (id) => connections.getConnection(db, id),
    createConnection: (input) => connections.createConnection(db, input),
    updateConnection: (id, patch) => connections.updateConnection(db, id, patch),
    deleteConnection: (id) => connections.deleteConnection(db, id),
    recordConnectionTest: (id, result) => connections.recordConnectionTest(db, id, result),
    listConnectionUsage: () => connections.listConnectionUsage(db),

    getSchedule: (integrationId) => schedules.getSchedule(db, integrationId),
    listSchedules: () => schedules.listSchedules(db),
    saveSchedule: (input) => schedules.saveSchedule(db, input),
    setScheduleSkipsRecorded: (integrationId, from, to) => schedules.setScheduleSkipsRecorded(db, integrationId, from, to),
    deleteSchedule: (integrationId) => schedules.deleteSchedule(db, integrationId),

    auth: createAuthStore(db),
    ops: createOperationsStore(db),
    inbox: createInboxStore(db),
    sets: createSetStore(db),
    sync: createSyncStateStore(db),
    webhooks: createWebhookStore(db),
    twoWay: createTwoWayStore(db),
    members: createMemberStore(db),
    oauth: createOAuthStateStore(db),
  };
}

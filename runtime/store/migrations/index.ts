// Every schema migration, in order. The same list runs on PGlite and on Postgres.
import { init } from './0001-init';
import { connections } from './0002-connections';
import { fileFormats } from './0003-file-formats';
import { runFiles } from './0004-run-files';
import { fileSheets } from './0005-file-sheets';
import { auth } from './0006-auth';
import { stepWaiting } from './0007-step-waiting';
import { schedules } from './0008-schedules';
import { opsTrigger } from './0009-ops-trigger';
import { runNames } from './0010-run-names';
import { inbox } from './0011-inbox';
import { sets } from './0012-sets';
import { stepProgress } from './0013-step-progress';
import { workspaceRecordsNoFk } from './0014-workspace-records-no-fk';
import { syncState } from './0015-sync-state';
import { twoWay } from './0016-two-way';
import { members } from './0018-members';
import { webhooks } from './0021-webhooks';
import { twoWayStage } from './0022-two-way-stage';
import { twoWayIndexes } from './0023-two-way-indexes';
import { twoWayOneHash } from './0024-two-way-one-hash';
import { twoWayTextHashes } from './0025-two-way-text-hashes';
import { oauthStates } from './0026-oauth-states';
import { fillfactor } from './0027-fillfactor';
import { rejectedStage } from './0028-rejected-stage';
import { deleteProgress } from './0029-delete-progress';
import { deleteSides } from './0030-delete-sides';
import { memberEmailNfc } from './0031-member-email-nfc';
import { deleteFence } from './0032-delete-fence';
import { alertSecretSealed } from './0033-alert-secret-sealed';
import { inboxRecordKey } from './0034-inbox-record-key';
import { restCredentialsSealed } from './0035-rest-credentials-sealed';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [init, connections, fileFormats, runFiles, fileSheets, auth, stepWaiting, schedules, opsTrigger, runNames, inbox, sets, stepProgress, workspaceRecordsNoFk, syncState, twoWay, members, webhooks, twoWayStage, twoWayIndexes, twoWayOneHash, twoWayTextHashes, oauthStates, fillfactor, rejectedStage, deleteProgress, deleteSides, memberEmailNfc, deleteFence, alertSecretSealed, inboxRecordKey, restCredentialsSealed];

export type { Migration } from './types';

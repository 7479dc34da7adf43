// Reads a history saved as proto JSON (`temporal workflow show --output json`) for Worker.runReplayHistory.
// The SDK's own historyFromJSON fails here: npm nests separate protobufjs copies under @temporalio/common and
// @temporalio/proto, and the common one rejects the proto one's types. We parse with the copy @temporalio/proto uses.
import { createRequire } from 'node:module';
import type * as proto from '@temporalio/proto';

type History = proto.temporal.api.history.v1.IHistory;
type ProtoJson = { fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown };
type LookupRoot = { lookupType(name: string): unknown };

// Loaded as CommonJS: the module object itself is the protobufjs root (an ESM namespace wrapper is not).
const require = createRequire(import.meta.url);
const root = require('@temporalio/proto') as LookupRoot;
const { fromJson } = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
const historyType = root.lookupType('temporal.api.history.v1.History');

export function historyFromProtoJson(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('Not a workflow history: expected an object with an array of events');
  }
  const history = fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('Not a workflow history');
  return history as History;
}

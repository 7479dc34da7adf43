// Content hashes over canonical JSON (shared/util/canonical-json.ts): graphs' hashes in the store, versions' at publish.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/util/canonical-json';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export const canonicalHash = (value: unknown): string => sha256Hex(canonicalJson(value));

// Test a record: one source record's path through an integration's steps, and what its target would do, without writing.
import { TestRecordInput, TestRecordResult } from '../test-record';
import { IdParam, json, jsonBody, route } from './define';

export const testRecord = route({
  method: 'post',
  path: '/integrations/{id}/test-record',
  request: { params: IdParam, body: jsonBody(TestRecordInput) },
  responses: { 200: json(TestRecordResult) },
});

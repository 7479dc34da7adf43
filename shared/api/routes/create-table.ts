// The "Create this table" route, in its own file and not in routes/index.ts: the web app imports it from the
// designer's lazy chunk only, so the first-load bundle does not carry its schemas. The API serves it like the rest.
import { CreateTableInput, CreateTableResult } from '../create-table';
import { IdParam, json, jsonBody, route } from './define';

export const createTable = route({
  method: 'post',
  path: '/connections/{id}/tables',
  request: { params: IdParam, body: jsonBody(CreateTableInput) },
  responses: { 200: json(CreateTableResult) },
});

// Integration sets: the set, its schedule, its runs (history), its trigger tokens and its trigger API.
import { z } from 'zod';
import { ScheduleInput } from '../schedules';
import { CreatedSetToken, IntegrationSet, RunSetInput, SetInput, SetRun, SetSchedule, SetTokenInfo, SetTriggerResult, SetUpdateInput } from '../sets';
import { TriggerTokenInput } from '../operations';
import { empty, IdParam, json, jsonBody, Paging, route } from './define';

const TokenParams = IdParam.extend({ tokenId: IdParam.shape.id });
const SetRunParams = IdParam.extend({ runId: IdParam.shape.id });

export const listSets = route({ method: 'get', path: '/sets', responses: { 200: json(z.array(IntegrationSet)) } });

export const createSet = route({ method: 'post', path: '/sets', request: { body: jsonBody(SetInput) }, responses: { 201: json(IntegrationSet) } });

export const getSet = route({ method: 'get', path: '/sets/{id}', request: { params: IdParam }, responses: { 200: json(IntegrationSet) } });

export const updateSet = route({ method: 'put', path: '/sets/{id}', request: { params: IdParam, body: jsonBody(SetUpdateInput) }, responses: { 200: json(IntegrationSet) } });

export const deleteSet = route({ method: 'delete', path: '/sets/{id}', request: { params: IdParam }, responses: { 204: empty } });

export const runSet = route({
  method: 'post',
  path: '/sets/{id}/runs',
  request: { params: IdParam, body: { content: { 'application/json': { schema: RunSetInput } }, required: false } },
  responses: { 202: json(SetRun) },
});

export const listSetRuns = route({
  method: 'get',
  path: '/sets/{id}/runs',
  request: { params: IdParam, query: Paging },
  responses: { 200: json(z.object({ items: z.array(SetRun), total: z.number().int() })) },
});

export const getSetRun = route({ method: 'get', path: '/set-runs/{id}', request: { params: IdParam }, responses: { 200: json(SetRun) } });

export const cancelSetRun = route({ method: 'post', path: '/set-runs/{id}/cancel', request: { params: IdParam }, responses: { 202: json(SetRun) } });

export const getSetSchedule = route({ method: 'get', path: '/sets/{id}/schedule', request: { params: IdParam }, responses: { 200: json(SetSchedule.nullable()) } });

export const saveSetSchedule = route({
  method: 'put',
  path: '/sets/{id}/schedule',
  request: { params: IdParam, body: jsonBody(ScheduleInput) },
  responses: { 200: json(SetSchedule) },
});

export const deleteSetSchedule = route({ method: 'delete', path: '/sets/{id}/schedule', request: { params: IdParam }, responses: { 204: empty } });

export const listSetTokens = route({ method: 'get', path: '/sets/{id}/tokens', request: { params: IdParam }, responses: { 200: json(z.array(SetTokenInfo)) } });

export const createSetToken = route({
  method: 'post',
  path: '/sets/{id}/tokens',
  request: { params: IdParam, body: jsonBody(TriggerTokenInput) },
  responses: { 201: json(CreatedSetToken) },
});

export const revokeSetToken = route({ method: 'delete', path: '/sets/{id}/tokens/{tokenId}', request: { params: TokenParams }, responses: { 204: empty } });

export const triggerSet = route({
  method: 'post',
  path: '/sets/{id}/trigger',
  request: { params: IdParam },
  responses: { 202: json(SetTriggerResult) },
});

export const triggeredSetRun = route({ method: 'get', path: '/sets/{id}/trigger/runs/{runId}', request: { params: SetRunParams }, responses: { 200: json(SetRun) } });

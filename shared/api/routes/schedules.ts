// Schedules: one per integration, kept as a Temporal Schedule.
import { z } from 'zod';
import { Schedule, ScheduleInput } from '../schedules';
import { empty, IdParam, json, jsonBody, route } from './define';

export const listSchedules = route({
  method: 'get',
  path: '/schedules',
  responses: { 200: json(z.array(Schedule)) },
});

export const getSchedule = route({
  method: 'get',
  path: '/integrations/{id}/schedule',
  request: { params: IdParam },
  responses: { 200: json(Schedule.nullable()) },
});

export const saveSchedule = route({
  method: 'put',
  path: '/integrations/{id}/schedule',
  request: { params: IdParam, body: jsonBody(ScheduleInput) },
  responses: { 200: json(Schedule) },
});

export const deleteSchedule = route({
  method: 'delete',
  path: '/integrations/{id}/schedule',
  request: { params: IdParam },
  responses: { 204: empty },
});

// The API's own routes: liveness and the state of the store and Temporal.
import { z } from 'zod';
import { access, json, route } from './define';

export const Health = z.object({
  ok: z.boolean(),
  store: z.enum(['pglite', 'postgres']),
  temporal: z.enum(['up', 'down', 'unknown']),
  /** Why Temporal is down, when it is. */
  message: z.string().optional(),
});
export type Health = z.infer<typeof Health>;

export const health = route({
  ...access('public'),
  method: 'get',
  path: '/health',
  tags: ['System'],
  summary: 'Liveness and the state of the store and Temporal',
  responses: { 200: json(Health, 'Healthy'), 503: json(Health, 'Temporal is down') },
});


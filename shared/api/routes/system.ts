// The API's own routes: liveness and the state of the store and Temporal.
import { z } from 'zod';
import { json, route } from './define';

const Health = z.object({
  ok: z.boolean(),
  store: z.enum(['pglite', 'postgres']),
  temporal: z.enum(['up', 'down', 'unknown']),
  /** Why Temporal is down, when it is. */
  message: z.string().optional(),
});

export const health = route({
  method: 'get',
  path: '/health',
  responses: { 200: json(Health), 503: json(Health) },
});

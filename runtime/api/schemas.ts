// Request/response pieces shared by the route modules (path params, paging, error responses).
import { z } from 'zod';
import { ApiError } from '../../shared';

export const IdParam = z.object({ id: z.string().min(1).max(100) });
export const NameParam = z.object({ name: z.string().min(1).max(100) });

export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const errors = {
  400: json(ApiError, 'Invalid request: error.issues names each bad field'),
  404: json(ApiError, 'Not found'),
} as const;

// Request/response pieces shared by the route modules (path params, paging, error responses).
import { z } from 'zod';
import { ApiError } from '../../shared';

/** No control characters (U+0000 above all, which no store column can hold): such a value names nothing Weft keeps. */
const NO_CONTROLS = /^[^\u0000-\u001f\u007f]*$/;
/** The one shape of an id in a path: Weft's ids (`run_<uuid>`, `file_…`) and the names tests and fixtures use. */
export const Id = z.string().min(1).max(100).regex(NO_CONTROLS, 'An id holds no control characters');
/** A workspace object's name in a path: a name people chose, but never with control characters. */
export const Name = z.string().min(1).max(100).regex(NO_CONTROLS, 'A name holds no control characters');
export const IdParam = z.object({ id: Id });
export const NameParam = z.object({ name: Name });

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

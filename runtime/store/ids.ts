// Row ids: a short prefix that says what the id names, then a random UUID.
import { randomUUID } from 'node:crypto';

export type IdPrefix = 'int' | 'ver' | 'run' | 'rej' | 'rec' | 'con' | 'usr' | 'tok' | 'itk' | 'set' | 'srn' | 'stk' | 'mem' | 'msy';

export const newId = (prefix: IdPrefix): string => `${prefix}_${randomUUID()}`;

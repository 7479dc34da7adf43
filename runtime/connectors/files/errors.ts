// The format layer's failures as ConnectorErrors, in the words of the person who chose the file and the key.
import { FileNeedsKeyError, PgpError } from '../../files/pgp';
import { ConnectorError } from '../types';
import { FileStorageUnavailableError } from '../../files/storage';

/** Key problems are `auth` (the connection's key is wrong); anything else passes through unchanged. */
export function fileProblem(err: unknown, file: { name: string }): unknown {
  if (err instanceof ConnectorError) return err;
  // The bucket down, silent or failing is an outage (waited out in the integration's outage window), not a missing
  // file; refused credentials, no such bucket or any other refusal (misconfigured) are the operator's to fix (probe16).
  if (err instanceof FileStorageUnavailableError) {
    const code = { credentials: 'auth', no_bucket: 'not_found', misconfigured: 'invalid_config', unreachable: 'unreachable' } as const;
    return new ConnectorError(code[err.reason], err.message, { cause: err });
  }
  if (err instanceof FileNeedsKeyError) return new ConnectorError('auth', `"${file.name}" is PGP-encrypted; choose a Files connection with its private key ("Decrypt with").`, { cause: err });
  if (err instanceof PgpError) {
    const code = err.code === 'damaged' ? 'invalid_config' : 'auth';
    return new ConnectorError(code, `"${file.name}": ${err.message}`, { cause: err });
  }
  return err;
}

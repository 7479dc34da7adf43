// Secrets at rest: the cipher and the key it is made from.
export { createCipher, looksSealed, SecretDecryptError, type SecretCipher } from './cipher';
export { loadSecretKey, parseKey } from './key';
export { MASK, maskablePassword, MIN_SECRET_LENGTH, redact, secretValues } from './redact';

// Outbound HTTP for every part of Weft: the address guard and the one client that applies it.
export { classifyAddress, isPrivateAddress, unmapped, type AddressKind } from './addresses';
export { addressGuardFromEnv, createAddressGuard, type AddressGuard, type AddressGuardSettings, type CheckedAddress, type GuardOptions, type LookupAll } from './address-guard';
export { bodySnippet, createHttpClient, expectOk, HttpStatusError, parseRetryAfter, type HttpAuth, type HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from './http-client';

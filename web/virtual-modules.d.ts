// The build's virtual modules (vite.config.ts plugins).
declare module 'virtual:weft-route-addresses' {
  /** Each route contract's method and path, by its export name in shared/api/routes (vite.route-addresses.ts). */
  export const ADDRESSES: Record<string, { method: 'get' | 'post' | 'put' | 'delete'; path: string }>;
  /** Where the API is mounted (shared/api/routes/define.ts). */
  export const API_BASE: string;
}

/**
 * The `--cluster` address: `redis://HOST:PORT[/DB]`. No password or TLS: a lab cluster lives on a trusted
 * network (loopback or a lab LAN), and a URL with credentials would end up in reports and logs.
 */
export interface RedisAddress {
  host: string;
  port: number;
  /** Logical database, 0 unless the URL's path names one. */
  db: number;
  /** The URL as normalised, for messages and reports. */
  url: string;
}

export const REDIS_URL_ALLOWED =
  'redis://HOST:PORT or redis://HOST:PORT/DB (DB 0 to 15), no user or password';

/** The address, or undefined when the text is not an allowed Redis URL. */
export function parseRedisUrl(text: string): RedisAddress | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'redis:' || url.hostname === '' || url.username !== '' || url.password !== '') {
    return undefined;
  }
  if (url.search !== '' || url.hash !== '') return undefined;
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) return undefined;
  const db = path === '' ? 0 : Number(path);
  if (db > 15) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, db, url: `redis://${url.host}${db === 0 ? '' : `/${db}`}` };
}

/** ioredis connection options for the address. */
export function ioredisOptions(address: RedisAddress): { host: string; port: number; db: number } {
  return { host: address.host, port: address.port, db: address.db };
}

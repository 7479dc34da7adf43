// Before a driver is let loose on an address: does the port speak the protocol at all? A port that answers something
// else (a web server, a service that writes garbage or waits in silence) would otherwise keep the driver waiting for
// its whole connection timeout and end as "Host unreachable". The probe's own failures to connect are left to the
// driver, which says them in detail.
import { connect } from 'node:net';
import { ConnectorError } from './types';

export type Protocol = 'postgres' | 'mysql';

const NAMES: Record<Protocol, string> = { postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' };
const PORTS: Record<Protocol, number> = { postgres: 5432, mysql: 3306 };

/** Postgres' SSLRequest: a real server answers it with exactly one byte, S or N (E from very old servers). */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

type Verdict = 'yes' | 'no' | 'silent' | 'unreached';

/** What the first bytes say: enough to decide, or undefined while more are needed. */
function judge(protocol: Protocol, data: Buffer): Verdict | undefined {
  if (protocol === 'postgres') return data.length >= 1 ? (['S', 'N', 'E'].includes(String.fromCharCode(data[0]!)) ? 'yes' : 'no') : undefined;
  // MySQL speaks first: a packet (3-byte length, sequence 0) holding a handshake (protocol 10) or an error (0xff).
  if (data.length < 5) return undefined;
  const length = data[0]! | (data[1]! << 8) | (data[2]! << 16);
  return data[3] === 0 && length > 0 && length < 16_384 && (data[4] === 0x0a || data[4] === 0xff) ? 'yes' : 'no';
}

export function probeProtocol(protocol: Protocol, host: string, port: number, timeoutMs = 3000): Promise<Verdict> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = Buffer.alloc(0);
    let connected = false;
    const finish = (v: Verdict) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(connected ? 'silent' : 'unreached'), timeoutMs);
    socket.on('connect', () => {
      connected = true;
      if (protocol === 'postgres') socket.write(SSL_REQUEST);
    });
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const v = judge(protocol, data);
      if (v) finish(v);
    });
    socket.on('end', () => finish(connected ? (judge(protocol, data) ?? 'no') : 'unreached'));
    socket.on('error', () => finish(connected ? 'no' : 'unreached'));
  });
}

/** Throws "Not a PostgreSQL server at this address" (or MySQL/MariaDB) when the port answers, but not in that protocol. */
export async function expectProtocol(protocol: Protocol, host: string, port: number, shownAs: string, timeoutMs?: number): Promise<void> {
  const verdict = await probeProtocol(protocol, host, port, timeoutMs);
  if (verdict === 'yes' || verdict === 'unreached') return;
  const what = verdict === 'silent' ? 'it accepted the connection but said nothing' : 'it answered, but not as a ' + NAMES[protocol] + ' server does';
  throw new ConnectorError('unreachable', `Not a ${NAMES[protocol]} server at this address (${shownAs}): ${what}. Check the host and port (${NAMES[protocol]} usually listens on ${PORTS[protocol]}).`);
}

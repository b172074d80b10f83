/** The `listen` address: "host:port", with IPv6 hosts in brackets ("[::1]:10790"). */
import { isIPv4, isIPv6 } from 'node:net';

export interface ListenAddress {
  /** Without brackets, ready for server.listen(port, host). */
  host: string;
  port: number;
}

// Underscores are not valid in DNS names but are common in container service names.
const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

/** Parse "127.0.0.1:10790", "localhost:0", "[::1]:10790". Undefined when malformed or the port is outside 0-65535. */
export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65_535) return undefined;
  if (m[1] !== undefined) return isIPv6(m[1]) ? { host: m[1], port } : undefined;
  const host = m[2] ?? '';
  return isIPv4(host) || (HOSTNAME_RE.test(host) && !/^[\d.]+$/.test(host)) ? { host, port } : undefined;
}

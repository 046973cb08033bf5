import { isIP } from 'node:net';

/** What an IP address is, for deciding whether the portal may connect to it (SSRF). */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

type V4Range = readonly [base: number, bits: number, kind: Exclude<AddressKind, 'public'>];
const v4 = (dotted: string, bits: number, kind: Exclude<AddressKind, 'public'>): V4Range => [ipv4ToInt(dotted)!, bits, kind];

// RFC 6890 special-purpose registry: everything not globally reachable.
const V4_RANGES: readonly V4Range[] = [
  v4('127.0.0.0', 8, 'loopback'),
  v4('10.0.0.0', 8, 'private'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.168.0.0', 16, 'private'),
  v4('100.64.0.0', 10, 'private'), // carrier-grade NAT
  v4('169.254.0.0', 16, 'link-local'), // cloud metadata lives here (169.254.169.254)
  v4('0.0.0.0', 8, 'reserved'),
  v4('192.0.0.0', 24, 'reserved'),
  v4('192.0.2.0', 24, 'reserved'),
  v4('198.18.0.0', 15, 'reserved'),
  v4('198.51.100.0', 24, 'reserved'),
  v4('203.0.113.0', 24, 'reserved'),
  v4('224.0.0.0', 4, 'reserved'), // multicast
  v4('240.0.0.0', 4, 'reserved'), // future use and broadcast
];

function ipv4ToInt(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function classifyV4(value: number): AddressKind {
  for (const [base, bits, kind] of V4_RANGES) {
    const size = 2 ** (32 - bits);
    if (value >= base && value < base + size) return kind;
  }
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = ipv4ToInt(dotted[1]!);
    if (n === undefined) return undefined;
    text = `${text.slice(0, dotted.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 ? missing < 1 : missing !== 0) || [...head, ...tail].some(Number.isNaN)) return undefined;
  return [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
}

function classifyV6(g: number[]): AddressKind {
  const embeddedV4 = (hi: number, lo: number) => classifyV4(hi * 65536 + lo);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  if (zeros(0, 8)) return 'reserved';
  if (zeros(0, 5) && g[5] === 0xffff) return embeddedV4(g[6]!, g[7]!); // IPv4-mapped
  if (zeros(0, 6)) return embeddedV4(g[6]!, g[7]!); // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embeddedV4(g[6]!, g[7]!); // NAT64
  if (g[0] === 0x2002) return embeddedV4(g[1]!, g[2]!); // 6to4
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // site-local (deprecated)
  if ((g[0]! & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  if (g[0] === 0x0100 && zeros(1, 4)) return 'reserved'; // discard-only
  if (g[0] === 0x2001 && g[1]! < 0x0200) return 'reserved'; // IETF protocol assignments (Teredo, ORCHID …)
  return 'public';
}

/** Classifies an IPv4 or IPv6 address; anything that does not parse is 'reserved'. */
export function classifyAddress(address: string): AddressKind {
  const family = isIP(address.split('%')[0]!);
  if (family === 4) return classifyV4(ipv4ToInt(address)!);
  if (family === 6) {
    const groups = ipv6Groups(address);
    return groups ? classifyV6(groups) : 'reserved';
  }
  return 'reserved';
}

/** May the portal connect to this address? Public always; loopback only when the development setting allows it. */
export function isAllowedAddress(address: string, allowLoopback: boolean): boolean {
  const kind = classifyAddress(address);
  return kind === 'public' || (allowLoopback && kind === 'loopback');
}

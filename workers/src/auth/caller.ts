// Who "one caller" of a public client key is, for the per-caller caps (streams, exposure quota,
// impact-sample share). Cloudflare sets CF-Connecting-IP itself, so a caller cannot pick it. But
// an IPv6 host is normally given a whole /64 (2^64 addresses) and can use a fresh one for every
// request, so counting full IPv6 addresses would give each request a fresh cap: an IPv6 caller
// is its /64, as Cloudflare's own rate limiting counts it.

/** The caller's network from `CF-Connecting-IP`: an IPv4 address, or an IPv6 /64 as `a:b:c:d::/64`. */
export function callerNetwork(headers: Headers): string | undefined {
  const ip = headers.get('cf-connecting-ip')?.trim();
  if (!ip) return undefined;
  if (!ip.includes(':')) return ip;
  // An IPv4 client written as IPv6 (::ffff:192.0.2.1) is that IPv4 address, not the /64 of all of them.
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  return ipv6Prefix64(ip) ?? ip.slice(0, 64);
}

/** The first four groups of an IPv6 address, without leading zeros; undefined when it is not one. */
export function ipv6Prefix64(ip: string): string | undefined {
  const address = ip.toLowerCase().split('%')[0]!;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  // An embedded IPv4 tail (::ffff:192.0.2.1) takes two groups.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const missing = 8 - width(head) - width(tail);
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const prefix = groups.slice(0, 4);
  if (!prefix.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return `${prefix.map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
}

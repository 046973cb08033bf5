import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { classifyAddress, isAllowedAddress } from './address-policy.js';

export const MAX_URL_CHARACTERS = 2000;

/** Why a target is refused, fit for a field violation. */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** The URL rules that need no DNS: https (http only to loopback in development), no credentials. */
export function parseTargetUrl(text: string, allowLoopback: boolean): URL {
  if ([...text].length > MAX_URL_CHARACTERS) throw new TargetRefusedError(`at most ${MAX_URL_CHARACTERS} characters`, 'TOO_LONG');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TargetRefusedError('not an absolute URL', 'INVALID_URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowLoopback)) throw new TargetRefusedError('must be https://', 'HTTPS_REQUIRED');
  if (url.username || url.password) throw new TargetRefusedError('must not carry credentials', 'CREDENTIALS_IN_URL');
  if (url.hash) throw new TargetRefusedError('must not have a fragment', 'INVALID_URL');
  return url;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Checks every address a host resolves to: public ones only, loopback too when the
 * development setting allows it, and plain http only when every address is loopback.
 */
export function checkAddresses(url: URL, addresses: readonly string[], allowLoopback: boolean): void {
  if (addresses.length === 0) throw new TargetRefusedError('the host does not resolve', 'UNRESOLVABLE_HOST');
  for (const address of addresses) {
    if (!isAllowedAddress(address, allowLoopback)) {
      throw new TargetRefusedError(
        `the host resolves to a ${classifyAddress(address)} address (${address}); only public addresses are allowed`,
        'FORBIDDEN_ADDRESS',
      );
    }
    if (url.protocol === 'http:' && classifyAddress(address) !== 'loopback') throw new TargetRefusedError('must be https://', 'HTTPS_REQUIRED');
  }
}

function resolveAll(host: string): Promise<string[]> {
  if (isIP(host)) return Promise.resolve([host]);
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) =>
      error
        ? reject(new TargetRefusedError(`the host does not resolve (${error.code ?? error.message})`, 'UNRESOLVABLE_HOST'))
        : resolve(addresses.map((a) => a.address)),
    ),
  );
}

/** Registration-time check: the URL rules and what the host resolves to now. */
export async function checkTarget(text: string, allowLoopback: boolean): Promise<URL> {
  const url = parseTargetUrl(text, allowLoopback);
  checkAddresses(url, await resolveAll(hostOf(url)), allowLoopback);
  return url;
}

export interface AttemptResult {
  /** 0 when no HTTP answer came. */
  status: number;
  ok: boolean;
  error?: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * One POST. The connection uses the addresses checked here, not a second lookup (the
 * `lookup` option), so a host that re-resolves to 127.0.0.1 or 169.254.169.254 after
 * registration (DNS rebinding) is refused at delivery time too. Redirects are not followed.
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { allowLoopback: boolean; timeoutMs: number },
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = parseTargetUrl(target, options.allowLoopback);
    } catch (error) {
      return resolve({ status: 0, ok: false, error: (error as Error).message });
    }
    const checkedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
      resolveAll(hostname).then(
        (addresses) => {
          try {
            checkAddresses(url, addresses, options.allowLoopback);
          } catch (error) {
            return callback(error as NodeJS.ErrnoException, '', 4);
          }
          const first = addresses[0]!;
          if (lookupOptions.all)
            return (callback as any)(
              null,
              addresses.map((address) => ({ address, family: isIP(address) })),
            );
          callback(null, first, isIP(first));
        },
        (error: Error) => callback(error as NodeJS.ErrnoException, '', 4),
      );
    };
    let settled = false;
    const done = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const host = hostOf(url);
    if (isIP(host)) {
      try {
        checkAddresses(url, [host], options.allowLoopback);
      } catch (error) {
        return done({ status: 0, ok: false, error: (error as Error).message });
      }
    }
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/cloudevents+json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'pinzhi-webhooks/1',
        },
        lookup: checkedLookup,
        signal: AbortSignal.timeout(options.timeoutMs),
        agent: false,
      },
      (answer: IncomingMessage) => {
        let bytes = 0;
        answer.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_ANSWER_BYTES) answer.destroy();
        });
        const status = answer.statusCode ?? 0;
        const finish = () => done({ status, ok: status >= 200 && status < 300, ...(status >= 200 && status < 300 ? {} : { error: `HTTP ${status}` }) });
        answer.on('end', finish);
        answer.on('close', finish);
        answer.on('error', finish);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      done({ status: 0, ok: false, error: (error.code ? `${error.code}: ` : '') + error.message.slice(0, 400) }),
    );
    req.end(body);
  });
}

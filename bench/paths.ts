/**
 * The paths each side is measured on, as a client meets them: request (202), verify with a wrong
 * code (400), verify with the right code (200), and a request refused by the per-IP limit (429,
 * the service only: the peers never refuse). The verify paths use codes issued beforehand, each
 * taking a few wrong guesses and then its right code once.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { approveSent, playHistory } from './history.js';
import { summariseProfile, type ProfileSummary } from './profile.js';
import { issuePeerCodes, issueProductCodes, nextNumber, type Pending } from './codes.js';
import { measure, type Measure, type Measured } from './rounds.js';
import { type Server, startProduct } from './servers.js';
import { DURATION, MAX_ATTEMPTS, RESULTS, wanted } from './settings.js';
import { stopChild } from './processes.js';
import type { Store } from './stores.js';
import type { PathName } from './targets.js';

/** The service, the prescribed peer, the bare peer, the bare Nest route, the floor. */
export type Side = 'product' | 'peer' | 'bare' | 'ceiling' | 'floor';
export const SIDES: Side[] = ['product', 'peer', 'bare', 'ceiling', 'floor'];
export type Rates = Partial<Record<PathName, Measure>>;

/** Sends a second the guard's history is sized for: about the most a measure makes. */
const HISTORY_RATE = 5000;
const HISTORY_SENDS = HISTORY_RATE * DURATION;

export interface Servers {
  product: Server;
  /** The service with a per-IP request limit of 1: every request after the first is refused. */
  throttled: Server;
  peer: Server;
  bare: Server;
  ceiling: Server;
  floor: Server;
}

const requestBody = () => ({ phoneNumber: nextNumber() });

/**
 * The service's request path: the guard's history first (see history.ts), then the measure, then
 * the approvals of what it sent, outside the measure.
 */
async function productRequests(
  store: Store,
  server: Server,
  measured?: Measured,
  history = 0,
): Promise<Measure> {
  const keyPrefix = `bench-${server.name}:`;
  if (history > 0) await playHistory(store, keyPrefix, history);
  const sent: string[] = [];
  const body = () => {
    const phoneNumber = nextNumber();
    sent.push(phoneNumber);
    return { phoneNumber };
  };
  const result = await measure(`${server.url}/api/otp/request`, body, 202, measured);
  await approveSent(store, keyPrefix, sent);
  return result;
}

/** Each pending code in turn, with its code changed so that it is wrong. */
function wrongGuesses(pending: Pending[]): () => Pending {
  let i = 0;
  return () => {
    const { phoneNumber, code } = pending[i++ % pending.length];
    return { phoneNumber, code: String(Number(code) + 1) };
  };
}

function rightGuesses(pending: Pending[]): () => Pending {
  let i = 0;
  return () => pending[i++ % pending.length];
}

/** What one round measures on each side, every wanted path in turn. */
export function sidePaths(
  store: Store,
  servers: Servers,
): Record<Side, (r: Rates) => Promise<void>> {
  const { product, throttled, ceiling, floor } = servers;
  const measured = (server: Server, rss = false): Measured => ({
    pid: server.started.pid,
    redisCpuMicros: store.cpuMicros,
    rss,
  });
  /** The service has a history of traffic once its first request path has played it. */
  let productHistory = false;
  /** The best verify rate seen so far per side, which sizes the next batch of pending codes. */
  const bestVerify: Record<'product' | 'peer' | 'bare', number> = { product: 0, peer: 0, bare: 0 };

  /** Wrong codes first (at most a few per code), then each code once with the right code. */
  async function verifyPaths(
    r: Rates,
    side: 'product' | 'peer' | 'bare',
    url: string,
    server: Measured,
  ) {
    const guess = Math.max(bestVerify[side], (r.request?.reqPerSec ?? 0) * 2, 3000);
    const count = Math.ceil(guess * 1.5 * DURATION);
    const pending =
      side === 'product'
        ? await issueProductCodes(store, `bench-${product.name}:`, count)
        : await issuePeerCodes(store, count);
    r['verify-wrong'] = await measure(url, wrongGuesses(pending), 400, server);
    if (wanted('verify-right')) {
      r['verify-right'] = await measure(url, rightGuesses(pending), 200, server);
    }
    bestVerify[side] = Math.max(
      bestVerify[side],
      r['verify-wrong'].reqPerSec,
      r['verify-right']?.reqPerSec ?? 0,
    );
  }

  const peerPaths = (side: 'peer' | 'bare') => async (r: Rates) => {
    const peer = servers[side];
    if (wanted('request')) {
      r.request = await measure(`${peer.url}/api/otp/request`, requestBody, 202, measured(peer));
    }
    if (wanted('verify-wrong') || wanted('verify-right') || wanted('refused')) {
      await verifyPaths(r, side, `${peer.url}/api/otp/verify`, measured(peer));
    }
  };

  return {
    product: async (r) => {
      const json = (path: string) => `${product.url}/api/otp/${path}`;
      if (wanted('request')) {
        const history = productHistory ? 0 : HISTORY_SENDS;
        productHistory = true;
        r.request = await productRequests(store, product, measured(product, true), history);
      }
      if (wanted('verify-wrong') || wanted('verify-right')) {
        await verifyPaths(r, 'product', json('verify'), measured(product, true));
      }
      if (wanted('refused')) {
        r.refused = await measure(
          `${throttled.url}/api/otp/request`,
          requestBody,
          429,
          measured(throttled, true),
        );
      }
    },
    peer: peerPaths('peer'),
    bare: peerPaths('bare'),
    ceiling: async (r) => {
      r.request = await measure(
        `${ceiling.url}/api/ceiling`,
        () => ({ phoneNumber: nextNumber(), code: '123456' }),
        200,
        measured(ceiling),
      );
    },
    floor: async (r) => {
      if (wanted('request')) {
        r.request = await measure(
          `${floor.url}/api/floor/request`,
          requestBody,
          202,
          measured(floor),
        );
      }
      if (wanted('verify-wrong')) {
        r['verify-wrong'] = await measure(
          `${floor.url}/api/floor`,
          () => ({ phoneNumber: nextNumber(), code: '000000' }),
          400,
          measured(floor),
        );
      }
    },
  };
}

/** One fresh service process under `--cpu-prof`, one path, then stopped: its profile is that path. */
export async function profilePath(
  store: Store,
  path: PathName,
  rate: number,
): Promise<ProfileSummary> {
  const name = `profile-${path}`;
  const dir = join(RESULTS, 'profiles', name);
  await rm(dir, { recursive: true, force: true });
  const refused = path === 'refused';
  const limit: Record<string, string> = refused ? { RATE_LIMIT_REQUEST_LIMIT: '1' } : {};
  const product = await startProduct(name, store, limit, true);
  const url = `${product.url}/api/otp/${path === 'request' || refused ? 'request' : 'verify'}`;
  if (refused) {
    await measure(url, requestBody, 429);
  } else if (path === 'request') {
    await productRequests(store, product, undefined, Math.max(rate, HISTORY_RATE) * DURATION);
  } else {
    // Each code takes one right guess, or a few wrong ones (of MAX_ATTEMPTS).
    const right = path === 'verify-right';
    const perCode = right ? 1 : MAX_ATTEMPTS / 4;
    const count = Math.ceil((Math.max(rate, 3000) * 2 * DURATION) / perCode);
    const pending = await issueProductCodes(store, `bench-${name}:`, count);
    await measure(url, right ? rightGuesses(pending) : wrongGuesses(pending), right ? 200 : 400);
  }
  await stopChild(product.started.child);
  const [file] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  return summariseProfile(join(dir, file), DURATION * 1000);
}

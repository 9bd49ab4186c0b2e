import { Logger } from '@nestjs/common';
import { fraudKeys } from '../store/otp-keys.js';
import { callStore, type RedisClient } from '../store/redis-connection.js';
import type { RedisDeadline } from '../store/redis-deadline.js';
import { redisScripts, type RedisScript, type RedisScripts } from '../store/redis-scripts.js';
import type {
  CounterReport,
  FraudStore,
  Quarantine,
  SendAdmission,
  SendCounter,
  SendPolicy,
  WatchedCounter,
} from './fraud-store.js';
import { ADMIT_SEND_SCRIPT } from './lua/admit-send.lua.js';
import { AT_RISK_SCRIPT } from './lua/at-risk.lua.js';
import { RECORD_APPROVAL_SCRIPT } from './lua/record-approval.lua.js';
import { RELEASE_QUARANTINE_SCRIPT } from './lua/release-quarantine.lua.js';
import { WITHDRAW_SEND_SCRIPT } from './lua/withdraw-send.lua.js';

type Arg = string | number;
type Reply = (string | number)[];
type ReleaseReply = [string, string, string, number] | [];

const figure = (value: string | number): number => Math.round(Number(value) * 100) / 100;
/** A figure as the scripts reply it, in whole hundredths (see sliding-window.lua.ts). */
const fromHundredths = (value: string | number): number => Number(value) / 100;
const KIND_CODE: Record<SendCounter['kind'], string> = {
  prefix: 'w',
  country: 'w',
  country_budget: 'b',
  global_budget: 'g',
};
/** The listing's index names a country apart from a prefix. */
const COUNTRY_MEMBER = 'country:';

/** What the script reads per key, after its two header values. */
const REPORT_WIDTH = 6;

/** The guard's counters in Redis, shared by every instance on it, cluster or not. */
export class RedisFraudStore implements FraudStore {
  private readonly logger = new Logger(RedisFraudStore.name);
  private readonly scripts: RedisScripts;
  private readonly keys: ReturnType<typeof fraudKeys>;

  /** `prefixTagDigits`: the shortest watched prefix length, the hash tag of a number's prefixes. */
  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    prefixTagDigits: number,
  ) {
    this.scripts = redisScripts(redis);
    this.keys = fraudKeys(keyPrefix, prefixTagDigits);
  }

  /**
   * One script per Redis slot: one on a single node, one per hash tag on a cluster, in the order
   * the counters came. A later slot that refuses gives back what the earlier ones counted.
   */
  async admitSend(
    counters: SendCounter[],
    policy: SendPolicy,
    deadline?: RedisDeadline,
  ): Promise<SendAdmission> {
    const reports: CounterReport[] = [];
    for (const group of this.bySlot(counters)) {
      const reply = await this.call(() =>
        this.run(
          ADMIT_SEND_SCRIPT,
          group.length,
          [
            ...group.map(({ key }) => key),
            policy.minConversion,
            policy.quarantineMs,
            policy.enforce ? '1' : '0',
            policy.challenge,
            policy.country,
            ...group.flatMap(({ counter }) => this.specOf(counter, policy.windowMs)),
          ],
          deadline,
        ),
      );
      const groupReports = group.map(({ counter }, i) => reportOf(counter, reply, i));
      const quarantined = groupReports.filter((report) => report.quarantined);
      if (quarantined.length > 0) await this.index(quarantined, deadline);
      reports.push(...groupReports);
      const outcome = reply[0] as SendAdmission['outcome'];
      if (outcome !== 'admitted') {
        await this.withdrawSend({ outcome: 'admitted', counters: reports }, deadline);
        const decidedBy = groupReports[Number(reply[1]) - 1];
        return { outcome, decidedBy, counters: reports };
      }
    }
    return { outcome: 'admitted', counters: reports };
  }

  async atRisk(
    counters: SendCounter[],
    windowMs: number,
    deadline?: RedisDeadline,
  ): Promise<boolean> {
    for (const group of this.bySlot(counters)) {
      const risky = await this.call(() =>
        this.run(
          AT_RISK_SCRIPT,
          group.length,
          [
            ...group.map(({ key }) => key),
            ...group.flatMap(({ counter }) => this.specOf(counter, windowMs)),
          ],
          deadline,
        ),
      );
      if (Number(risky) === 1) return true;
    }
    return false;
  }

  /**
   * Every slot's give-back is sent at once: a request whose deadline has passed (a stalled
   * node) stops waiting for the first at once, and one sent after it would never go.
   */
  async withdrawSend(admission: SendAdmission, deadline?: RedisDeadline): Promise<void> {
    const counted = admission.counters.filter((report) => report.bucket >= 0);
    const groups = this.bySlot(counted.map((report) => report.counter));
    const withdrawn = groups.map((group) => {
      const buckets = group.map(({ counter }) => counted.find((r) => r.counter === counter)!);
      return this.call(() =>
        this.run(
          WITHDRAW_SEND_SCRIPT,
          group.length,
          [...group.map(({ key }) => key), ...buckets.map((report) => report.bucket)],
          deadline,
        ),
      );
    });
    await Promise.all(withdrawn);
  }

  async recordApproval(
    counters: WatchedCounter[],
    windowMs: number,
    minConversion: number,
    deadline?: RedisDeadline,
  ): Promise<Quarantine[]> {
    const released: Quarantine[] = [];
    for (const group of this.bySlot(counters)) {
      const reply = await this.call(() =>
        this.run(
          RECORD_APPROVAL_SCRIPT,
          group.length,
          [...group.map(({ key }) => key), windowMs, minConversion],
          deadline,
        ),
      );
      group.forEach(({ counter }, i) => {
        const [done, country, sends, approvals, until] = reply.slice(i * 5, i * 5 + 5);
        if (Number(done) !== 1) return;
        released.push({
          prefix: counter.kind === 'prefix' ? counter.id : null,
          country: String(country) || (counter.kind === 'country' ? counter.id : ''),
          sends: fromHundredths(sends),
          approvals: fromHundredths(approvals),
          quarantinedUntil: Number(until),
        });
      });
    }
    if (released.length > 0) await this.unindex(released, deadline);
    return released;
  }

  async quarantined(): Promise<Quarantine[]> {
    const now = Date.now();
    const members = await this.call(() =>
      this.scripts.command(async () => {
        await this.redis.zremrangebyscore(this.keys.quarantined, '-inf', now);
        return this.redis.zrangebyscore(this.keys.quarantined, now, '+inf');
      }),
    );
    // One read per entry: in a cluster each sits in its own slot.
    const rows = await this.call(() =>
      this.scripts.command(() =>
        Promise.all(
          members.map((member) =>
            this.redis.hmget(this.keyOfMember(member), 'q', 'qs', 'qa', 'qc'),
          ),
        ),
      ),
    );
    return rows.flatMap(([until, sends, approvals, country], i) => {
      if (Number(until ?? 0) <= now) return [];
      const member = members[i];
      const isCountry = member.startsWith(COUNTRY_MEMBER);
      return [
        {
          prefix: isCountry ? null : member,
          country: country ?? (isCountry ? member.slice(COUNTRY_MEMBER.length) : ''),
          sends: figure(sends ?? '0'),
          approvals: figure(approvals ?? '0'),
          quarantinedUntil: Number(until),
        },
      ];
    });
  }

  async release(counter: Pick<WatchedCounter, 'kind' | 'id'>): Promise<Quarantine | undefined> {
    const reply = await this.call(() =>
      this.scripts.run<ReleaseReply>(RELEASE_QUARANTINE_SCRIPT, [this.keyOf(counter)], []),
    );
    const quarantine: Quarantine = {
      prefix: counter.kind === 'prefix' ? counter.id : null,
      country: counter.kind === 'country' ? counter.id : '',
      sends: 0,
      approvals: 0,
      quarantinedUntil: 0,
    };
    await this.unindex([quarantine]);
    if (reply.length === 0) return undefined;
    const [country, sends, approvals, quarantinedUntil] = reply;
    return {
      ...quarantine,
      country,
      sends: figure(sends),
      approvals: figure(approvals),
      quarantinedUntil,
    };
  }

  /** `args` are the group's keys, then the script's arguments: `keyCount` says where they part. */
  private run(
    scripts: RedisScript[],
    keyCount: number,
    args: Arg[],
    deadline?: RedisDeadline,
  ): Promise<Reply> {
    return this.scripts.run<Reply>(
      scripts[keyCount],
      args.slice(0, keyCount).map(String),
      args.slice(keyCount),
      deadline,
    );
  }

  /** What a script reads of a counter: its kind, window and threshold. */
  private specOf(counter: SendCounter, watchWindowMs: number): Arg[] {
    return [
      KIND_CODE[counter.kind],
      'windowMs' in counter ? counter.windowMs : watchWindowMs,
      'limit' in counter ? counter.limit : counter.minSends,
    ];
  }

  private keyOf(counter: Pick<SendCounter, 'kind' | 'id'>): string {
    switch (counter.kind) {
      case 'prefix':
        return this.keys.prefix(counter.id);
      case 'country':
        return this.keys.country(counter.id);
      case 'country_budget':
        return this.keys.countryBudget(counter.id);
      case 'global_budget':
        return this.keys.globalBudget(counter.id);
    }
  }

  private memberOf(quarantine: Pick<Quarantine, 'prefix' | 'country'>): string {
    return quarantine.prefix ?? `${COUNTRY_MEMBER}${quarantine.country}`;
  }

  private keyOfMember(member: string): string {
    return member.startsWith(COUNTRY_MEMBER)
      ? this.keys.country(member.slice(COUNTRY_MEMBER.length))
      : this.keys.prefix(member);
  }

  /** On a cluster, the counters grouped by hash tag; on one node, all in one group. */
  private bySlot<C extends SendCounter>(counters: C[]): { counter: C; key: string }[][] {
    const keyed = counters.map((counter) => ({ counter, key: this.keyOf(counter) }));
    if (!this.redis.isCluster) return keyed.length > 0 ? [keyed] : [];
    const groups = new Map<string, { counter: C; key: string }[]>();
    for (const entry of keyed) {
      const tag = /\{([^}]*)\}/.exec(entry.key)?.[1] ?? entry.key;
      groups.set(tag, [...(groups.get(tag) ?? []), entry]);
    }
    return [...groups.values()];
  }

  /** The listing's index lives in a slot of its own; each counter's key stays the truth. */
  private async index(reports: CounterReport[], deadline?: RedisDeadline): Promise<void> {
    const entries = reports.flatMap((report) => [
      report.quarantinedUntil,
      report.counter.kind === 'prefix'
        ? report.counter.id
        : `${COUNTRY_MEMBER}${report.counter.id}`,
    ]);
    const index = () => this.redis.zadd(this.keys.quarantined, ...entries);
    await this.call(() => this.scripts.command(index, deadline)).catch(() => undefined);
  }

  private async unindex(quarantines: Quarantine[], deadline?: RedisDeadline): Promise<void> {
    const members = quarantines.map((q) => this.memberOf(q));
    const unindex = () => this.redis.zrem(this.keys.quarantined, ...members);
    await this.call(() => this.scripts.command(unindex, deadline)).catch(() => undefined);
  }

  private call<T>(command: () => Promise<T>): Promise<T> {
    return callStore(this.redis, this.logger, command);
  }
}

function reportOf(counter: SendCounter, reply: Reply, index: number): CounterReport {
  const [bucket, sends, approvals, until, flags, retry] = reply
    .slice(2 + index * REPORT_WIDTH, 2 + (index + 1) * REPORT_WIDTH)
    .map(Number);
  return {
    counter,
    bucket,
    sends: fromHundredths(sends),
    approvals: fromHundredths(approvals),
    quarantinedUntil: until,
    expired: (flags & 1) !== 0,
    quarantined: (flags & 2) !== 0,
    warned: (flags & 4) !== 0,
    retryAfterMs: retry,
  };
}

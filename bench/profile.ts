import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** The parts of a V8 `.cpuprofile` (as `node --cpu-prof` writes it) that the summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  percent: number;
}

export interface ProfileSummary {
  /** CPU samples in the window that were not idle, in milliseconds. */
  busyMs: number;
  /** Share of the window the process was on CPU. */
  busyPercent: number;
  packages: ProfileShare[];
  /** As `packages`, with the Node and native work done on each library's behalf added to it. */
  libraries: ProfileShare[];
  functions: ProfileShare[];
}

/** Which package a script belongs to, so that costs add up per library. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'V8/native';
  if (url.startsWith('node:')) return 'node (core)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (url.includes('/packages/nestjs-otp-verify/')) return 'nestjs-otp-verify (the module)';
  if (url.includes('/dist/bench/bench/')) return 'bench entry';
  if (url.includes('/dist/')) return 'service (src/)';
  return url;
}

const shares = (totals: Map<string, number>, all: number, top: number): ProfileShare[] =>
  [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, value]) => ({ name, percent: Math.round((1000 * value) / all) / 10 }));

/**
 * Self time by package and by function over the last `windowMs` of a profile (the measured
 * path: the process is stopped right after it), as a share of the time it was on CPU.
 */
export async function summariseProfile(
  file: string,
  windowMs: number,
  top = 15,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) node.children?.forEach((child) => parents.set(child, node.id));
  const core = (pkg: string) => pkg === 'node (core)' || pkg === 'V8/native';
  /** Node's own code and native functions (socket writes, hashing) count for the library that called them. */
  const caller = (id: number): string | undefined => {
    for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
      const frame = byId.get(at);
      const pkg = frame && packageOf(frame.url, frame.functionName);
      if (pkg && !core(pkg) && !pkg.startsWith('(')) return pkg;
    }
    return undefined;
  };
  const label = (frame: CallFrame) =>
    `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber + 1}`;
  const times: number[] = [];
  let t = 0;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  const start = t - windowMs * 1000;
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  const libraries = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (times[i] < start) continue;
    const frame = byId.get(profile.samples[i]);
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (!frame || frame.functionName === '(idle)') continue;
    const own = packageOf(frame.url, frame.functionName);
    const via = core(own) ? caller(profile.samples[i]) : undefined;
    const pkg = via ? `${own} for ${via}` : own;
    const fn = `${frame.url ? label(frame) : frame.functionName || '(anonymous)'} [${pkg}]`;
    packages.set(pkg, (packages.get(pkg) ?? 0) + delta);
    functions.set(fn, (functions.get(fn) ?? 0) + delta);
    libraries.set(via ?? own, (libraries.get(via ?? own) ?? 0) + delta);
    busy += delta;
  }
  return {
    busyMs: Math.round(busy / 1000),
    busyPercent: Math.round((100 * busy) / (windowMs * 1000)),
    packages: shares(packages, busy, top),
    libraries: shares(libraries, busy, top),
    functions: shares(functions, busy, top),
  };
}

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOtpDashboard } from './otp-dashboard.js';

const target = fileURLToPath(
  new URL('../../../../deploy/grafana/otp-dashboard.json', import.meta.url),
);
writeFileSync(target, renderOtpDashboard());
console.log(`Wrote ${target}`);

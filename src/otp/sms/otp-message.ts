export interface OtpMessageValues {
  code: string;
  appName: string;
  minutes: number;
}

export function renderOtpMessage(template: string, values: OtpMessageValues): string {
  return template
    .replaceAll('{appName}', values.appName)
    .replaceAll('{minutes}', String(values.minutes))
    .replaceAll('{code}', values.code);
}

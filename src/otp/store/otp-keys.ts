export interface OtpKeys {
  code: string;
  cooldown: string;
  sends: string;
  failures: string;
}

/**
 * Every key the store writes for one number. The number is the hash tag, so all of them sit in
 * one Redis Cluster slot and each script may touch them together.
 */
export function otpKeys(prefix: string, phoneNumber: string): OtpKeys {
  const tag = `${prefix}{${phoneNumber}}`;
  return {
    code: tag,
    cooldown: `${tag}:cooldown`,
    sends: `${tag}:sends`,
    failures: `${tag}:failures`,
  };
}

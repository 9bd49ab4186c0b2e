import { PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import type { SnsOptions } from '../otp-options.js';
import { failureWithoutAnswer, kindOfStatus } from './sms-failure.js';
import type { SmsFailure, SmsMessage, SmsProvider } from './sms-provider.js';

/** Direct publishing to a phone number through AWS SNS; credentials come from the SDK's chain. */
export class SnsSmsProvider implements SmsProvider {
  readonly name = 'sns';
  private readonly client: SNSClient;
  private readonly attributes: Record<string, MessageAttributeValue>;

  constructor(options: SnsOptions) {
    this.client = new SNSClient({
      ...(options.region && { region: options.region }),
      ...(options.endpoint && { endpoint: options.endpoint }),
      // Our retry budget and deadline are the only ones; the SDK's own would multiply them.
      maxAttempts: 1,
    });
    const attribute = (value: string): MessageAttributeValue => ({
      DataType: 'String',
      StringValue: value,
    });
    this.attributes = {
      'AWS.SNS.SMS.SMSType': attribute(options.smsType ?? 'Transactional'),
      ...(options.senderId && { 'AWS.SNS.SMS.SenderID': attribute(options.senderId) }),
    };
  }

  /** Refuses to start without a region: the SDK would otherwise only fail on the first send. */
  async assertConfigured(): Promise<void> {
    try {
      await this.client.config.region();
    } catch {
      throw new Error(
        'SMS provider sns needs a region: set AWS_REGION (or the OtpModule option sms.sns.region)',
      );
    }
  }

  async send(message: SmsMessage, signal?: AbortSignal): Promise<void> {
    const command = new PublishCommand({
      PhoneNumber: message.to,
      Message: message.text,
      MessageAttributes: this.attributes,
    });
    await this.client.send(command, { abortSignal: signal });
  }
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/**
 * Service errors carry the HTTP status in `$metadata`; network errors carry none, and only those
 * raised before the request was written (a refused connection) are definite.
 */
export function classifySnsError(error: unknown): SmsFailure {
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'CredentialsProviderError') return { kind: 'permanent', reason: e.name };
  if (status === undefined) return failureWithoutAnswer(e.code, `no answer (${e.name ?? 'Error'})`);
  const kind = THROTTLING.has(e.name ?? '') && status < 500 ? 'transient' : kindOfStatus(status);
  return { kind, reason: `HTTP ${status} ${e.name}` };
}

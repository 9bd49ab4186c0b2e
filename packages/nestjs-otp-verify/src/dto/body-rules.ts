/** What one string field of a request body may hold. */
export interface StringFieldRule {
  required: boolean;
  maxLength: number;
  oneOf?: readonly string[];
}

/** Every field a body may have; any other key is refused. */
export type BodyRules = Readonly<Record<string, StringFieldRule>>;

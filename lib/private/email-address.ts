import { Token } from 'aws-cdk-lib';

/**
 * The problem with `email` as the address an SNS email subscription is sent to, naming `path`; `undefined` for an
 * address (local part, `@`, a domain with a dot) or a token. SNS itself accepts the subscription and only the
 * confirmation mail fails, so a typo is caught here.
 */
export function emailAddressProblem(email: string, path: string): string | undefined {
  if (Token.isUnresolved(email) || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return undefined;
  return `${path} must be an email address like owner@example.com, got '${email}'`;
}

/**
 * Lambda entry point of the deploy-time check of the algorithm's objects (see handler.ts), for the CDK Provider
 * framework. The S3 client is created once per container, in the function's own region, which is the deploy region.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { EnvironmentVariable } from '../shared/algorithm-check-contract';
import { createCheckHandler } from './handler';

let client: S3Client | undefined;

export const handler = createCheckHandler(
  () => (client ??= new S3Client({})),
  () => ({ region: process.env.AWS_REGION ?? 'unknown region', roleName: process.env[EnvironmentVariable.CHECK_ROLE_NAME] }),
);

/**
 * Lambda entry point of the batch classification function (see handler.ts). The S3 client is created once per
 * container.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../shared/object-store';
import { createBatchHandler } from './handler';
import { s3ObjectStore } from './s3-store';

let store: ObjectStore | undefined;

export const handler = createBatchHandler(() => (store ??= s3ObjectStore(new S3Client({}))));

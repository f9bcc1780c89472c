/**
 * The evaluation function's ObjectStore: the S3 requests sent with its SDK client (the logic is in
 * lambda/shared/object-store.ts). Its reports are small: no multipart upload.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ObjectStore, objectStoreOver } from '../shared/object-store';

export function s3ObjectStore(client: S3Client): ObjectStore {
  return objectStoreOver({
    listObjectsV2: (input) => client.send(new ListObjectsV2Command(input)),
    getObject: (input) => client.send(new GetObjectCommand(input)),
    putObject: (input) => client.send(new PutObjectCommand(input)),
  });
}
